import { MAX_BUDGET_USD } from '../../schema/money';

/**
 * The money side of a generation, kept in whole micro-dollars so that many small prices add
 * up exactly. Every paid call reserves its estimated cost before it starts and settles its
 * actual cost when it ends (failed runs are paid too), so spent + reserved never exceeds the
 * limit, however many run at once.
 */

const MICROS = 1_000_000;
const toMicros = (usd: number): number => Math.round(usd * MICROS);
const toUsd = (micros: number): number => micros / MICROS;
const MAX_LIMIT = toMicros(MAX_BUDGET_USD);

/** What a paid call is for: a scene attempt, or a gate score. */
export type LedgerKind = 'scene' | 'score';

interface Reservation {
  sceneId: string;
  kind: LedgerKind;
  micros: number;
}

export class BudgetLedger {
  private limit: number;
  private spent = 0;
  private reserved = 0;
  private readonly open = new Map<string, Reservation>();
  private readonly spentByScene = new Map<string, number>();

  /** @param limitUsd the starting limit, clamped to 0..MAX_BUDGET_USD. */
  constructor(limitUsd: number) {
    this.limit = clampLimit(toMicros(limitUsd));
  }

  get limitUsd(): number {
    return toUsd(this.limit);
  }
  get spentUsd(): number {
    return toUsd(this.spent);
  }
  get reservedUsd(): number {
    return toUsd(this.reserved);
  }
  /** What is neither spent nor reserved (negative when actual costs came out above their estimates). */
  get availableUsd(): number {
    return toUsd(this.limit - this.spent - this.reserved);
  }

  /** True when a call estimated at `estimateUsd` fits under the limit now. */
  canReserve(estimateUsd: number): boolean {
    return this.spent + this.reserved + toMicros(estimateUsd) <= this.limit;
  }

  /**
   * Holds `estimateUsd` for a call about to start.
   * @throws Error if it does not fit or the key is already open (a bug in the caller).
   */
  reserve(key: string, sceneId: string, kind: LedgerKind, estimateUsd: number): void {
    if (this.open.has(key)) throw new Error(`ledger key ${key} is already reserved`);
    const micros = toMicros(estimateUsd);
    if (this.spent + this.reserved + micros > this.limit) {
      throw new Error(`reserving ${estimateUsd} USD for ${key} would cross the limit of ${this.limitUsd} USD`);
    }
    this.reserved += micros;
    this.open.set(key, { sceneId, kind, micros });
  }

  /**
   * Moves `estimateUsd` of the reservation held under `key` to a new one under `partKey`: a call
   * whose money was reserved with another's (a keyframe, reserved with its clip) settles on its own.
   * @throws Error if `key` holds less, or `partKey` is already open (a bug in the caller).
   */
  split(key: string, partKey: string, estimateUsd: number): void {
    const held = this.open.get(key);
    const micros = toMicros(estimateUsd);
    if (!held || held.micros < micros)
      throw new Error(`ledger key ${key} does not hold ${estimateUsd} USD to split off`);
    if (this.open.has(partKey)) throw new Error(`ledger key ${partKey} is already reserved`);
    held.micros -= micros;
    this.open.set(partKey, { ...held, micros });
  }

  /** True while `key` holds a reservation. */
  isReserved(key: string): boolean {
    return this.open.has(key);
  }

  /**
   * Replaces a reservation with what the call really cost. The actual cost may exceed the
   * estimate (a model billed more than its catalogue price); it is recorded as spent all the
   * same, and later reservations see less room.
   * @throws Error if the key holds no reservation (a bug in the caller).
   */
  settle(key: string, actualUsd: number): void {
    const held = this.open.get(key);
    if (!held) throw new Error(`ledger key ${key} is not reserved`);
    this.open.delete(key);
    this.reserved -= held.micros;
    const micros = toMicros(Math.max(0, actualUsd));
    this.spent += micros;
    this.spentByScene.set(held.sceneId, (this.spentByScene.get(held.sceneId) ?? 0) + micros);
  }

  /** Adds to the limit, never past MAX_BUDGET_USD. Returns the new limit. */
  raise(amountUsd: number): number {
    this.limit = clampLimit(this.limit + toMicros(amountUsd));
    return this.limitUsd;
  }

  /** Replaces the limit (clamped to 0..MAX_BUDGET_USD); nothing already spent or reserved is undone. */
  setLimit(limitUsd: number): number {
    this.limit = clampLimit(toMicros(limitUsd));
    return this.limitUsd;
  }

  /** Money spent on one scene, its attempts and scores together. */
  spentOn(sceneId: string): number {
    return toUsd(this.spentByScene.get(sceneId) ?? 0);
  }
}

function clampLimit(micros: number): number {
  return Number.isNaN(micros) ? 0 : Math.min(MAX_LIMIT, Math.max(0, micros));
}
