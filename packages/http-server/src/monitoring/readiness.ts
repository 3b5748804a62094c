import { isTezsignerError } from '@tezsigner/core';

/** Something the signer needs to answer: a key backend, the watermark store. */
export interface ReadinessProbe {
  /** e.g. `key backend azure-key-vault` */
  readonly name: string;
  readonly check: () => Promise<unknown>;
  /** why it is not ready, written for /readyz (no secret, no backend text), asked when the check fails */
  readonly detail?: () => string | undefined;
}

export interface Readiness {
  readonly ready: boolean;
  /** one line per probe that failed; an error code, never backend text (that goes to the log) */
  readonly reasons: readonly string[];
  /** every probe, in the order given, and whether it passed */
  readonly probes: readonly { readonly name: string; readonly ok: boolean }[];
}

export const DEFAULT_READINESS_DEADLINE_MS = 2_000;

/** Runs every probe at once; a probe that does not answer within `deadlineMs` fails. */
export async function checkReadiness(
  probes: readonly ReadinessProbe[],
  deadlineMs: number,
  onFailure: (probe: string, err: unknown) => void = () => undefined,
): Promise<Readiness> {
  const results = await Promise.all(
    probes.map(async (probe): Promise<string | undefined> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
      });
      try {
        await Promise.race([probe.check(), late]);
        return undefined;
      } catch (err) {
        onFailure(probe.name, err);
        const detail = probe.detail?.();
        const why = detail === undefined ? '' : ` (${detail})`;
        if (isTezsignerError(err)) return `${probe.name}: ${err.code}${why}`;
        return `${probe.name}: ${err instanceof Error && err.message.startsWith('no answer within') ? err.message : 'failed'}${why}`;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const reasons = results.filter((reason): reason is string => reason !== undefined);
  return { ready: reasons.length === 0, reasons, probes: probes.map((probe, at) => ({ name: probe.name, ok: results[at] === undefined })) };
}

type MaybeProbed = { probe?: () => Promise<unknown> };

const probeOf = (target: object): (() => Promise<unknown>) | undefined => {
  const probe = (target as MaybeProbed).probe;
  return typeof probe === 'function' ? () => probe.call(target) : undefined;
};

/**
 * A key backend answers when it lists its keys (or its own probe, when it has one, passes); a
 * backend with a `readinessDetail()` says why it is not ready (the PKCS#11 one: the HSM silent,
 * a key it does not answer for, the module starting anew).
 */
export function keyProviderProbe(provider: { readonly name: string; listKeys(): Promise<unknown> }): ReadinessProbe {
  const detail = (provider as { readinessDetail?: () => string | undefined }).readinessDetail;
  return {
    name: `key backend ${provider.name}`,
    check: probeOf(provider) ?? (() => provider.listKeys()),
    ...(typeof detail === 'function' ? { detail: () => detail.call(provider) } : {}),
  };
}

/** A watermark store answers when its own probe passes, else when it lists its marks. */
export function watermarkStoreProbe(store: { readonly name: string; list(): Promise<unknown> }): ReadinessProbe {
  return { name: `watermark store ${store.name}`, check: probeOf(store) ?? (() => store.list()) };
}

/** The audit log answers unless its last append failed and a trial write still does (its own probe). */
export function auditLogProbe(log: { readonly name: string }): ReadinessProbe {
  return { name: `audit log ${log.name}`, check: probeOf(log) ?? (() => Promise.resolve()) };
}
