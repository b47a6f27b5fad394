import type { BudgetLedger, LedgerKind } from './budget-ledger';

/** A paid call asking for money: its ledger key, the scene it is for, and what it may cost at most. */
export interface BudgetClaim {
  key: string;
  sceneId: string;
  kind: LedgerKind;
  estimateUsd: number;
}

/**
 * Who may spend next. A claim that fits is reserved at once; one that does not waits in line.
 * When money arrives (a raise, a new limit, a run that cost less than its estimate) the waiting
 * claims are reserved here, oldest first, each only if it still fits after those before it: a
 * raise that covers one attempt releases exactly one, and the rest keep waiting.
 *
 * The wait has one deadline for the whole generation: `waitMs` after the first claim started
 * waiting, restarted whenever money arrives. It is cleared once nobody waits.
 */
export class BudgetAdmission {
  private readonly queue: BudgetClaim[] = [];
  private readonly granted = new Set<string>();
  private deadlineAt: number | null = null;

  constructor(
    private readonly ledger: BudgetLedger,
    private readonly waitMs: number
  ) {}

  /** Reserves a claim that fits now, else puts it in line. */
  request(claim: BudgetClaim, now: number): 'reserved' | 'waiting' {
    if (this.ledger.canReserve(claim.estimateUsd)) {
      this.ledger.reserve(claim.key, claim.sceneId, claim.kind, claim.estimateUsd);
      return 'reserved';
    }
    this.queue.push(claim);
    this.deadlineAt ??= now + this.waitMs;
    return 'waiting';
  }

  /** More money: the wait restarts, and waiting claims that now fit are reserved. Returns their keys. */
  moneyArrived(now: number): string[] {
    if (this.queue.length > 0) this.deadlineAt = now + this.waitMs;
    return this.admit();
  }

  /** Reserves waiting claims that fit, oldest first (after a run cost less than its estimate). Returns their keys. */
  admit(): string[] {
    const admitted: string[] = [];
    for (const claim of [...this.queue]) {
      if (!this.ledger.canReserve(claim.estimateUsd)) continue;
      this.ledger.reserve(claim.key, claim.sceneId, claim.kind, claim.estimateUsd);
      this.queue.splice(this.queue.indexOf(claim), 1);
      this.granted.add(claim.key);
      admitted.push(claim.key);
    }
    if (this.queue.length === 0) this.deadlineAt = null;
    return admitted;
  }

  /** True once a waiting claim has been reserved. */
  isGranted(key: string): boolean {
    return this.granted.has(key);
  }

  /**
   * Takes a claim out of line (its scene stopped waiting). A claim already reserved keeps its
   * reservation, which the caller settles; returns whether it had been.
   */
  withdraw(key: string): boolean {
    const index = this.queue.findIndex((c) => c.key === key);
    if (index >= 0) this.queue.splice(index, 1);
    if (this.queue.length === 0) this.deadlineAt = null;
    return this.granted.delete(key);
  }

  /** The claims in line, oldest first. */
  get waiting(): readonly BudgetClaim[] {
    return this.queue;
  }

  /** When the generation gives up waiting for money (ms since the epoch), or null while nobody waits. */
  get deadline(): number | null {
    return this.deadlineAt;
  }
}
