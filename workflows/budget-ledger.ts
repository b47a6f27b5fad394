/**
 * The money side of a generation, kept in whole micro-dollars so that many small prices
 * add up exactly. Every paid attempt reserves its estimated cost before it starts and
 * settles its actual cost when it returns (failed attempts are paid too), so
 * spent + reserved never exceeds the limit, however many attempts run at once.
 */

const MICROS = 1_000_000;
const toMicros = (usd: number): number => Math.round(usd * MICROS);
const toUsd = (micros: number): number => micros / MICROS;

export interface LedgerEntry {
  key: string;
  sceneId: string;
  kind: 'scene' | 'score';
  estimateUsd: number;
  /** null while reserved. */
  actualUsd: number | null;
}

export interface LedgerSnapshot {
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  entries: LedgerEntry[];
}

export class BudgetLedger {
  private limit: number;
  private spent = 0;
  private reserved = 0;
  private readonly open = new Map<string, { entry: LedgerEntry; micros: number }>();
  private readonly closed: LedgerEntry[] = [];

  constructor(limitUsd: number) {
    this.limit = toMicros(limitUsd);
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
  /** What is neither spent nor reserved. */
  get availableUsd(): number {
    return toUsd(this.limit - this.spent - this.reserved);
  }

  /** True when an attempt estimated at `estimateUsd` fits under the limit now. */
  canReserve(estimateUsd: number): boolean {
    return this.spent + this.reserved + toMicros(estimateUsd) <= this.limit;
  }

  /**
   * Holds `estimateUsd` for an attempt about to start.
   * @throws Error if it does not fit or the key is already open (a bug in the caller).
   */
  reserve(key: string, sceneId: string, kind: LedgerEntry['kind'], estimateUsd: number): void {
    if (this.open.has(key)) throw new Error(`ledger key ${key} is already reserved`);
    const micros = toMicros(estimateUsd);
    if (this.spent + this.reserved + micros > this.limit) {
      throw new Error(`reserving ${estimateUsd} USD for ${key} would cross the limit of ${this.limitUsd} USD`);
    }
    this.reserved += micros;
    this.open.set(key, { entry: { key, sceneId, kind, estimateUsd, actualUsd: null }, micros });
  }

  /**
   * Replaces a reservation with what the attempt really cost. The actual cost may exceed
   * the estimate (a model billed more than its catalogue price); it is recorded as spent
   * all the same, and later reservations see less room.
   */
  settle(key: string, actualUsd: number): void {
    const held = this.open.get(key);
    if (!held) throw new Error(`ledger key ${key} is not reserved`);
    this.open.delete(key);
    this.reserved -= held.micros;
    this.spent += toMicros(actualUsd);
    this.closed.push({ ...held.entry, actualUsd });
  }

  raise(amountUsd: number): void {
    this.limit += toMicros(amountUsd);
  }

  setLimit(limitUsd: number): void {
    this.limit = toMicros(limitUsd);
  }

  /** Money spent on one scene, settled attempts only. */
  spentOn(sceneId: string): number {
    return toUsd(
      this.closed.filter((e) => e.sceneId === sceneId).reduce((sum, e) => sum + toMicros(e.actualUsd ?? 0), 0)
    );
  }

  snapshot(): LedgerSnapshot {
    return {
      limitUsd: this.limitUsd,
      spentUsd: this.spentUsd,
      reservedUsd: this.reservedUsd,
      entries: [...this.closed, ...[...this.open.values()].map((h) => h.entry)],
    };
  }
}
