import { LocalForger } from '@taquito/local-forging';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { branch, expectedContent, operationContents } from '../../../../test-support/taquito-operations.js';
import { hexToBytes } from '../encoding/hex.js';
import { decodeOperation } from './decoder.js';
import { parseRequest } from '../request/parse.js';

// Random valid operations forged by an independent forger (Taquito local-forging): the decoder
// must give back every field Taquito was given, in our shape (camelCase, bigint amounts).
describe('operation decoding against Taquito local-forging', () => {
  const forger = new LocalForger();

  it('decodes every field of random forged operations of every kind Taquito forges', async () => {
    await fc.assert(
      fc.asyncProperty(branch, operationContents, async (branchHash, contents) => {
        const forged = await forger.forge({ branch: branchHash, contents: contents as never });
        const bytes = hexToBytes(`03${forged}`);
        const want = { branch: branchHash, contents: contents.map(expectedContent) };
        expect(decodeOperation(bytes)).toStrictEqual(want);
        expect(parseRequest(bytes, 'ed25519')).toStrictEqual({ kind: 'operation', magic: 3, operationKinds: contents.map((op) => op.kind), ...want });
      }),
      { numRuns: 1000 },
    );
  });
});
