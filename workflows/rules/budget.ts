import { durationMs, type Plan } from '../../schema/plan';
import { BudgetAdmission, type BudgetClaim } from './budget-admission';
import { BudgetLedger } from './budget-ledger';

/** What a claim for money got: reserved now, waiting in line, or refused (the plan says fail rather than wait). */
export type BudgetAnswer = 'reserved' | 'waiting' | 'refused';

/** How a wait for money ended: the claim holds its reservation, the generation is stopping, or no money came in time. */
export type WaitEnd = 'spend' | 'stopped' | 'timed-out';

/**
 * A generation's budget: the ledger (what is spent and reserved against the limit), who waits
 * for money and until when, and the sentences that explain a shortfall. Every paid call
 * reserves before it starts and settles when it is booked; money a call did not use, a raise or
 * a new limit lets waiting claims go, oldest first.
 */
export class Budget {
  private readonly ledger: BudgetLedger;
  private readonly admission: BudgetAdmission;
  /** Scenes waiting for money, with what their next call needs. */
  private readonly waits = new Map<string, number>();

  constructor(private readonly plan: Plan['budget']) {
    this.ledger = new BudgetLedger(plan.limitUsd);
    this.admission = new BudgetAdmission(this.ledger, durationMs(plan.waitTimeout));
  }

  get limitUsd(): number {
    return this.ledger.limitUsd;
  }
  get spentUsd(): number {
    return this.ledger.spentUsd;
  }
  get reservedUsd(): number {
    return this.ledger.reservedUsd;
  }
  get availableUsd(): number {
    return this.ledger.availableUsd;
  }
  /** Money spent on one scene, its attempts and scores together. */
  spentOn(sceneId: string): number {
    return this.ledger.spentOn(sceneId);
  }
  /** Scenes waiting for money, each with what its next call needs. */
  get moneyWaits(): { sceneId: string; needsUsd: number }[] {
    return [...this.waits].map(([sceneId, needsUsd]) => ({ sceneId, needsUsd }));
  }
  /** When the generation gives up waiting for money (ms since the epoch), or null while nobody waits. */
  get deadline(): number | null {
    return this.admission.deadline;
  }
  /** True once a waiting claim has been reserved. */
  isGranted(key: string): boolean {
    return this.admission.isGranted(key);
  }

  /** Asks for money for one paid call. A refused claim holds nothing; `shortfall` says why. */
  request(claim: BudgetClaim, now: number): BudgetAnswer {
    const answer = this.admission.request(claim, now);
    if (answer === 'reserved') return answer;
    if (this.plan.onExceeded === 'fail') {
      this.admission.withdraw(claim.key);
      return 'refused';
    }
    this.waits.set(claim.sceneId, claim.estimateUsd);
    return 'waiting';
  }

  /**
   * A claim stops waiting: granted, its generation stopping (a reservation it got meanwhile is
   * given back), or out of time.
   */
  endWait(claim: BudgetClaim, stopping: boolean): WaitEnd {
    this.waits.delete(claim.sceneId);
    const granted = this.admission.withdraw(claim.key);
    if (stopping) {
      if (granted) this.ledger.settle(claim.key, 0);
      return 'stopped';
    }
    return granted ? 'spend' : 'timed-out';
  }

  /** Books what a call cost against its reservation; money it did not use may let waiting claims go. */
  settle(key: string, costUsd: number): void {
    this.ledger.settle(key, costUsd);
    this.admission.admit();
  }

  /** Gives part of a reservation its own key (see `BudgetLedger.split`). */
  split(key: string, partKey: string, estimateUsd: number): void {
    this.ledger.split(key, partKey, estimateUsd);
  }

  /** True while `key` holds money not yet settled. */
  holds(key: string): boolean {
    return this.ledger.isReserved(key);
  }

  /** Adds to the limit; waiting claims that now fit are reserved. Returns the new limit. */
  raise(amountUsd: number, now: number): number {
    const limit = this.ledger.raise(amountUsd);
    this.admission.moneyArrived(now);
    return limit;
  }

  /** Replaces the limit; waiting claims that now fit are reserved. Returns the new limit. */
  setLimit(limitUsd: number, now: number): number {
    const limit = this.ledger.setLimit(limitUsd);
    this.admission.moneyArrived(now);
    return limit;
  }

  /** Why a claim does not fit, in a sentence with the figures. */
  shortfall(claim: BudgetClaim): string {
    const { ledger } = this;
    const what =
      claim.kind === 'score'
        ? `the gate score of scene ${claim.sceneId}`
        : `the next attempt of scene ${claim.sceneId}`;
    return `${what} needs ${claim.estimateUsd.toFixed(4)} USD but only ${Math.max(0, ledger.availableUsd).toFixed(4)} USD of the ${ledger.limitUsd} USD budget is left (${ledger.spentUsd.toFixed(4)} spent, ${ledger.reservedUsd.toFixed(4)} reserved)`;
  }
}
