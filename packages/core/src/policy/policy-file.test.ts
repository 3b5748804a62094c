import { describe, expect, test } from 'vitest';
import { isTezsignerError } from '../errors.js';
import { parsePolicyFile as parsePolicy } from './policy-file.js';

const BAKER = 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb';
const KT1 = 'KT1BEqzn5Wx8uJrZNvuS9DVHmLvG9td3fDLi';

const YAML = `# a baker that also pays out, with a person confirming large transfers
default:
  block: allow
  attestation: allow
keys:
  ${BAKER}:
    michelson_data: deny
    operations:
      transaction: allow
      reveal: allow
      '*': deny
    limits:
      max_amount: 12.5
      max_fee: "0.01"
      max_amount_24h: 100
      max_fee_24h: 1
      destinations: [${KT1}%deposit, tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6]
      delegates: [tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6]
      chain_ids: [NetXdQprcVkpaWU]
      exceeded: confirm
`;

test('a YAML policy becomes rules in mutez, named after its file', () => {
  const policy = parsePolicy(YAML, '/etc/tezsigner/policy.yaml');
  expect(policy).toEqual({
    source: 'policy.yaml',
    default: { kinds: { block: 'allow', attestation: 'allow' } },
    keys: {
      [BAKER]: {
        kinds: { michelson_data: 'deny' },
        operations: { transaction: 'allow', reveal: 'allow', '*': 'deny' },
        limits: {
          maxAmount: 12_500_000n,
          maxFee: 10_000n,
          maxAmount24h: 100_000_000n,
          maxFee24h: 1_000_000n,
          destinations: [`${KT1}%deposit`, 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6'],
          delegates: ['tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6'],
          chainIds: ['NetXdQprcVkpaWU'],
          exceeded: 'confirm',
        },
      },
    },
  });
});

test('the same policy in JSON reads the same', () => {
  const json = JSON.stringify({ keys: { [BAKER]: { operations: { transaction: 'confirm' }, limits: { max_amount: '1.000001', max_fee: 0.1 } } } }, null, 2);
  expect(parsePolicy(json, 'policy.json').keys?.[BAKER]).toEqual({ kinds: {}, operations: { transaction: 'confirm' }, limits: { maxAmount: 1_000_001n, maxFee: 100_000n } });
});

test('names the rollup and DAL-evidence kinds of the current protocol like any other', () => {
  const text = 'default:\n  operations:\n    smart_rollup_refute: confirm\n    dal_entrapment_evidence: allow\n    zk_rollup_origination: deny\n    zk_rollup_publish: deny\n    zk_rollup_update: deny\n';
  expect(parsePolicy(text, 'policy.yaml').default?.operations).toEqual({
    smart_rollup_refute: 'confirm',
    dal_entrapment_evidence: 'allow',
    zk_rollup_origination: 'deny',
    zk_rollup_publish: 'deny',
    zk_rollup_update: 'deny',
  });
});

const errorOf = (text: string): string => {
  try {
    parsePolicy(text, 'policy.yaml');
  } catch (err) {
    if (isTezsignerError(err, 'CONFIG_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
};

describe('mistakes name the file, the line and the field', () => {
  test.each([
    ['an unknown verdict', `default:\n  block: maybe\n`, 'policy.yaml:2: default.block: expected allow, confirm or deny'],
    ['an unknown field', `default:\n  block: allow\n  blocks: allow\n`, 'policy.yaml:3: default.blocks: unknown field'],
    ['an unknown top-level field', `defaults:\n  block: allow\n`, 'policy.yaml:1: defaults: unknown field'],
    ['a key that is not an address', `keys:\n  baker:\n    block: allow\n`, 'policy.yaml:2: keys.baker: expected a tz1/tz2/tz3/tz4 address'],
    ['an amount that is not tez', `default:\n  limits:\n    max_amount: 1.0000001\n`, 'policy.yaml:3: default.limits.max_amount: 1.0000001 is not an amount of tez'],
    ['a negative fee', `default:\n  limits:\n    max_fee_24h: "-1"\n`, 'policy.yaml:3: default.limits.max_fee_24h: "-1" is not an amount of tez'],
    ['a bad destination', `default:\n  limits:\n    destinations:\n      - ${KT1}\n      - KT1nope%deposit\n`, 'policy.yaml:5: default.limits.destinations.1: expected an address (tz1…, KT1…), optionally with %entrypoint'],
    ['a delegate that is a contract', `default:\n  limits:\n    delegates: [${KT1}]\n`, 'policy.yaml:3: default.limits.delegates.0: expected a tz1/tz2/tz3/tz4 address'],
    ['a bad chain id', `default:\n  limits:\n    chain_ids: [mainnet]\n`, 'policy.yaml:3: default.limits.chain_ids.0: expected a chain id (Net…)'],
    ['exceeded set to allow', `default:\n  limits:\n    exceeded: allow\n`, 'policy.yaml:3: default.limits.exceeded: expected confirm or deny'],
    ['a bad operation kind', `default:\n  operations:\n    Transfer: allow\n`, 'policy.yaml:3: default.operations.Transfer: expected an operation kind'],
    ['an operation kind octez does not have', `default:\n  operations:\n    transfer: allow\n`, 'policy.yaml:3: default.operations.transfer: expected an operation kind'],
    ['a duplicated key', `default:\n  block: allow\n  block: deny\n`, 'policy.yaml:3: Map keys must be unique'],
    ['broken YAML', `default:\n  block: [allow\n`, 'policy.yaml:'],
    ['a list instead of rules', `- block\n`, 'policy.yaml:1: (top level):'],
    ['a list where keys belong, said in the file\'s words', `keys: [a]\n`, 'policy.yaml:1: keys: expected a map, got a list'],
  ])('%s', (_name, text, expected) => {
    expect(errorOf(text)).toContain(expected);
  });
});

describe('fees are capped wherever amounts are: a cap without its fee cap is refused in one line saying why', () => {
  test.each([
    [
      'max_amount without max_fee, for a key',
      `default:\n  block: allow\nkeys:\n  ${BAKER}:\n    operations: { transaction: allow }\n    limits:\n      max_amount: 1\n      max_amount_24h: 100\n`,
      `policy.yaml:6: keys.${BAKER}.limits: no max_fee: max_amount caps what one operation sends, burns and locks, not its fees, so without max_fee an operation can pay any fee: set max_fee too`,
    ],
    [
      'max_amount_24h without max_fee_24h, in the default',
      `default:\n  limits: { max_amount: 1, max_fee: 0.1, max_amount_24h: 100 }\n`,
      'policy.yaml:2: default.limits: no max_fee_24h: max_amount_24h caps what the key sends, burns and locks over 24 h, not its fees, so without max_fee_24h the fees over 24 h have no bound: set max_fee_24h too',
    ],
  ])('%s', (_name, text, expected) => {
    const message = errorOf(text);
    expect(message).toBe(expected);
    expect(message).not.toContain('\n');
  });

  test('a key\'s amount cap under the default\'s fee caps is bounded', () => {
    const text = `default:\n  limits: { max_fee: 0.1, max_fee_24h: 1 }\nkeys:\n  ${BAKER}:\n    limits: { max_amount: 5, max_amount_24h: 50 }\n`;
    expect(parsePolicy(text, 'policy.yaml').keys?.[BAKER]?.limits).toEqual({ maxAmount: 5_000_000n, maxAmount24h: 50_000_000n });
  });
});
