/** The port a contract check ran against. */
export type CheckedPort = 'WatermarkStore' | 'KeyProvider';

/**
 * What a contract check rejects with: the first rule the implementation broke, by name, and what
 * it did instead. `rule` is stable, for a test to match; the message is for people.
 */
export class PortContractError extends Error {
  readonly port: CheckedPort;
  readonly rule: string;

  constructor(port: CheckedPort, implementation: string, rule: string, detail: string, options?: { cause?: unknown }) {
    super(`${port} ${JSON.stringify(implementation)} breaks the rule "${rule}": ${detail}`, options);
    this.name = 'PortContractError';
    this.port = port;
    this.rule = rule;
  }
}

/** Runs `step` under `rule`: what it throws (an assertion, or the implementation's own error) names the rule. */
export async function underRule<T>(port: CheckedPort, implementation: () => string, rule: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof PortContractError) throw err;
    throw new PortContractError(port, implementation(), rule, describeFailure(err), { cause: err });
  }
}

function describeFailure(err: unknown): string {
  if (err instanceof Broken) return err.message;
  if (!(err instanceof Error)) return `it threw ${String(err)}`;
  const code = (err as { code?: unknown }).code;
  return `it threw ${typeof code === 'string' ? code : err.name}: ${err.message}`;
}

/** An assertion inside a rule: the detail says what was found instead. */
export class Broken extends Error {
  override readonly name = 'Broken';
}

export function expectThat(condition: boolean, detail: () => string): asserts condition {
  if (!condition) throw new Broken(detail());
}
