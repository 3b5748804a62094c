// What decoding a generic (0x03) operation costs before policy can judge it: decode, then the
// one-line summary a person is shown, for a transfer, a reveal-and-transfer batch and a large
// contract origination. Taquito's own decoder (LocalForger.parse) of the same bytes is timed
// beside each, so the ratio says how we compare to the library wallets use.
import { LocalForger } from '@taquito/local-forging';
import { decodeOperation, hexToBytes, summarizeOperation } from '../packages/core/src/index.js';
import { loadVectors } from '../test-support/vectors.js';
import { figures, measure, type Figures } from './measure.js';
import { caseLine } from './report.js';

const SECONDS_PER_CASE = 1.5;
const MAX_OPS = 20_000;
const BIG_MAP_ENTRIES = 1500;

async function measureOne(operation: () => unknown): Promise<Figures> {
  await operation();
  return figures(await measure(1, SECONDS_PER_CASE, operation, MAX_OPS));
}

/** An origination whose storage is a map of BIG_MAP_ENTRIES elements: tens of kilobytes. */
async function largeOrigination(forger: LocalForger): Promise<string> {
  const storage = Array.from({ length: BIG_MAP_ENTRIES }, (_, i) => ({ prim: 'Elt', args: [{ int: String(i) }, { string: `value number ${i}` }] }));
  const code = [{ prim: 'parameter', args: [{ prim: 'unit' }] }, { prim: 'storage', args: [{ prim: 'map', args: [{ prim: 'nat' }, { prim: 'string' }] }] }, { prim: 'code', args: [[{ prim: 'CDR' }, { prim: 'NIL', args: [{ prim: 'operation' }] }, { prim: 'PAIR' }]] }];
  const source = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
  const content = { kind: 'origination', source, fee: '50000', counter: '9', gas_limit: '100000', storage_limit: '60000', balance: '0', script: { code, storage } };
  return forger.forge({ branch: 'BLockGenesisGenesisGenesisGenesisGenesisf79b5d1CoW2', contents: [content as never] });
}

export async function run(): Promise<void> {
  const forger = new LocalForger();
  const vectors = loadVectors<{ operations: { name: string; bytes_hex: string }[] }>('operations').operations;
  const hexOf = (name: string) => (vectors.find((v) => v.name === name)?.bytes_hex ?? '').slice(2);
  const cases: Array<[string, string]> = [
    ['transfer', hexOf('transaction')],
    ['reveal + transfer batch', hexOf('reveal_and_transaction')],
    ['origination', await largeOrigination(forger)],
  ];
  for (const [name, hex] of cases) {
    const bytes = hexToBytes(`03${hex}`);
    const ours = await measureOne(() => summarizeOperation(decodeOperation(bytes)));
    const taquito = await measureOne(() => forger.parse(hex));
    console.log(caseLine(`decode + summarize ${name} (${bytes.length} B)`, ours, { decimals: 3 }));
    console.log(caseLine(`Taquito parse ${name}`, taquito, { decimals: 3 }));
    console.log(`  ours / Taquito: ${(ours.perSecond / taquito.perSecond).toFixed(2)}×`);
  }
}
