import { isTezsignerError, policyDenied, storeUnavailable } from '../errors.js';
import { bytesToHex } from '../encoding/hex.js';
import { KeyedQueue } from '../watermark/keyed-queue.js';
import type { Policy, PolicyDecision } from './model.js';
import { evaluatePolicy } from './evaluation.js';
import { neverSigned } from './evaluate-request.js';
import { requestFacts, totals, type RequestFacts } from './facts.js';
import type { AuditDecision, AuditLog, AuditRecord } from '../ports/audit-log.js';
import type { ConfirmationAnswer, Confirmations } from '../ports/confirmations.js';
import type { GateRequest, Gatekeeper } from '../ports/gatekeeper.js';
import type { SpendingLedger } from '../ports/spending-ledger.js';
import { describeRequest } from '../request/description.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface PolicyGatekeeperOptions {
  readonly policy: Policy;
  /** every decision is appended here before the request goes on or is refused */
  readonly audit: AuditLog;
  /** where spending is kept for the 24 h caps, shared by every signer of the key; without it they count this request only */
  readonly ledger?: SpendingLedger | undefined;
  /** who confirms what policy holds; without it a `confirm` is refused */
  readonly confirmations?: Confirmations | undefined;
  /** the clock (ms since the epoch): for 24 h windows and audit times; core keeps none */
  readonly now: () => number;
}

type Subject = Omit<AuditRecord, 'time' | 'decision' | 'by' | 'rule' | 'reason'>;

const ANSWERED: Record<Exclude<ConfirmationAnswer['outcome'], 'approved'>, (by: string) => string> = {
  timed_out: () => 'held for confirmation and nobody answered in time',
  rejected: (by) => `held for confirmation and rejected by ${by}`,
  abandoned: () => 'held for confirmation, and its client disconnected before anyone answered: dropped',
};

const NO_SPENDING = { amount: 0n, fee: 0n };
/** Appends lost to other signers before one call gives up (fail closed rather than spin). */
const MAX_LEDGER_RACES = 64;

/**
 * Applies a policy to each request, has a person confirm what it holds, and writes every
 * decision to the audit log before the request is signed or refused. Judging a request and
 * recording what it spends happen in one step per key, so two operations cannot both fit
 * under a 24 h cap that only one of them fits under.
 */
export class PolicyGatekeeper implements Gatekeeper {
  #policy: Policy;
  readonly #audit: AuditLog;
  readonly #ledger: SpendingLedger | undefined;
  readonly #confirmations: Confirmations | undefined;
  readonly #now: () => number;
  readonly #spending = new KeyedQueue();

  get policy(): Policy {
    return this.#policy;
  }

  /** Applies `next` to requests judged from now on (a reload); held ones are judged again with it. */
  replacePolicy(next: Policy): void {
    this.#policy = next;
  }

  constructor(options: PolicyGatekeeperOptions) {
    this.#policy = options.policy;
    this.#audit = options.audit;
    this.#ledger = options.ledger;
    this.#confirmations = options.confirmations;
    this.#now = options.now;
  }

  async admit({ pkh, request, bytes, digest, gone }: GateRequest): Promise<void> {
    const facts = requestFacts(request);
    const subject: Subject = {
      key: pkh,
      kind: facts?.kind ?? request.kind,
      ...(facts?.chainId === undefined ? {} : { chain: facts.chainId }),
      hash: bytesToHex(digest),
      summary: describeRequest(request),
    };
    if (facts === undefined) {
      const refusal = neverSigned(request.kind);
      await this.#write(subject, 'denied', 'policy', refusal);
      throw this.#refusal(refusal);
    }
    const first = await this.#judge(pkh, facts, subject);
    if (first.verdict === 'allow') return;

    if (this.#confirmations === undefined) {
      const reason = `${first.reason}; held for confirmation, but nobody can confirm here (use tezsigner serve and tezsigner confirm)`;
      await this.#write(subject, 'denied', 'policy', { ...first, reason });
      throw this.#refusal({ ...first, reason });
    }
    await this.#write(subject, 'held', 'policy', first);
    let answer: ConfirmationAnswer;
    try {
      answer = await this.#confirmations.hold({ ...subject, bytes, rule: first.rule, reason: first.reason }, gone);
    } catch (err) {
      // too many held already: refused before it is held, so consensus keeps its room
      await this.#write(subject, 'denied', 'policy', { ...first, reason: `${first.reason}; not held: ${err instanceof Error ? err.message : String(err)}` });
      throw err;
    }
    if (answer.outcome !== 'approved') {
      const reason = ANSWERED[answer.outcome](answer.by);
      await this.#write(subject, answer.outcome, answer.by, { ...first, reason });
      throw this.#refusal({ ...first, reason });
    }
    // spending and policy may have moved while it waited: judged again, as if new
    await this.#judge(pkh, facts, subject, answer.by);
  }

  /**
   * Judges the request; lets it through (recording its spending and the decision) when policy
   * allows it, or when it asks for a confirmation a person gave (`approvedBy`). Refuses what
   * policy denies. Returns a `confirm` still to be asked for.
   */
  #judge(pkh: string, facts: RequestFacts, subject: Subject, approvedBy?: string): Promise<PolicyDecision> {
    const spends = facts.kind === 'operation';
    const judge = async (): Promise<PolicyDecision> => {
      for (let attempt = 0; attempt < MAX_LEDGER_RACES; attempt++) {
        const now = this.#now();
        const view = spends ? await this.#ledgerCall(() => this.#ledger?.read(pkh, now - DAY_MS)) : undefined;
        const decision = evaluatePolicy(this.policy, pkh, facts, view?.spent ?? NO_SPENDING);
        if (decision.verdict === 'deny') {
          await this.#write(subject, 'denied', approvedBy === undefined ? 'policy' : `policy, after ${approvedBy} approved`, decision);
          throw this.#refusal(decision);
        }
        if (decision.verdict === 'confirm' && approvedBy === undefined) return decision;
        const { amount, fee } = totals(facts);
        if (view !== undefined && (amount > 0n || fee > 0n)) {
          // another process or instance appended since the read: judge again with its spending
          const appended = await this.#ledgerCall(() => this.#ledger?.append(pkh, view.next, { time: now, amount, fee }));
          if (appended === false) continue;
        }
        if (approvedBy === undefined) await this.#write(subject, 'allowed', 'policy', decision);
        else await this.#write(subject, 'approved', approvedBy, decision);
        return decision;
      }
      throw storeUnavailable(`spending ledger ${this.#ledger?.name ?? ''}: lost ${MAX_LEDGER_RACES} races in a row for ${pkh}, so nothing was signed`);
    };
    return spends ? this.#spending.run(pkh, judge) : judge();
  }

  #refusal(decision: PolicyDecision) {
    return policyDenied(`refused by policy rule ${decision.rule} (${this.policy.source}): ${decision.reason}`);
  }

  async #write(subject: Subject, decision: AuditDecision, by: string, judged: PolicyDecision): Promise<void> {
    const record: AuditRecord = {
      time: new Date(this.#now()).toISOString(),
      ...subject,
      decision,
      rule: judged.rule,
      by,
      reason: judged.reason,
    };
    try {
      await this.#audit.append(record);
    } catch (err) {
      if (isTezsignerError(err)) throw err;
      throw storeUnavailable(`audit log ${this.#audit.name} failed, so nothing was signed: ${err instanceof Error ? err.message : String(err)}`, err);
    }
  }

  async #ledgerCall<T>(call: () => Promise<T> | undefined): Promise<T | undefined> {
    try {
      return await call();
    } catch (err) {
      if (isTezsignerError(err)) throw err;
      throw storeUnavailable(`spending ledger ${this.#ledger?.name ?? ''} failed, so nothing was signed: ${err instanceof Error ? err.message : String(err)}`, err);
    }
  }
}
