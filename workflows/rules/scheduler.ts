import type { Strategy } from '../../schema/plan';

/**
 * Where a scene is, as far as scheduling cares. `running`: it holds a slot (its prediction is in
 * flight). `finishing`: its prediction ended and its clip is being collected or judged, without a
 * slot; it may still need another attempt, and then waits for a slot again.
 */
export type SlotState = 'waiting' | 'running' | 'finishing' | 'settled';

/**
 * Decides which released scenes may start a prediction now under a strategy: a strategy bounds
 * the slots held (`running` scenes). It knows nothing of Temporal, money or failures: the
 * workflow asks it for candidates, then checks the budget.
 *
 * - sequential: one in flight, in plan order.
 * - batched: scenes cut into batches of `concurrency` in release order; a batch starts only
 *   when every scene of the batches before it has settled (the design document's hybrid).
 * - pool: up to `concurrency` in flight; the next starts as soon as any one ends.
 * - parallel: everything released at once.
 *
 * A scene that goes back to `waiting` (a retry) keeps its place and batch; a batch is over only
 * when all its scenes have settled, `finishing` ones included.
 */
export class SceneScheduler {
  private readonly order: string[] = [];
  private readonly state = new Map<string, SlotState>();
  /** Batch number per scene, counted over all releases so each release starts a fresh batch. */
  private readonly batch = new Map<string, number>();
  private batches = 0;

  constructor(private readonly strategy: Strategy) {}

  /**
   * Adds scenes at the end of the release order (the gate scenes first, then the rest).
   * Batches never span two releases: the scenes released after the gate form fresh batches.
   */
  release(sceneIds: readonly string[]): void {
    const fresh = sceneIds.filter((id) => !this.state.has(id));
    fresh.forEach((id, i) => {
      this.order.push(id);
      this.state.set(id, 'waiting');
      this.batch.set(id, this.batches + Math.floor(i / this.strategy.concurrency));
    });
    this.batches += Math.ceil(fresh.length / this.strategy.concurrency);
  }

  mark(sceneId: string, state: SlotState): void {
    if (!this.state.has(sceneId)) throw new Error(`scene ${sceneId} was never released`);
    this.state.set(sceneId, state);
  }

  stateOf(sceneId: string): SlotState | undefined {
    return this.state.get(sceneId);
  }

  get running(): number {
    return [...this.state.values()].filter((s) => s === 'running').length;
  }

  /** True when nothing is waiting or running. */
  get idle(): boolean {
    return [...this.state.values()].every((s) => s === 'settled');
  }

  private get limit(): number {
    switch (this.strategy.mode) {
      case 'sequential':
        return 1;
      case 'parallel':
        return Number.POSITIVE_INFINITY;
      default:
        return this.strategy.concurrency;
    }
  }

  /** Scenes that may start now, in release order; the caller starts a prefix of them. */
  startable(): string[] {
    const free = this.limit - this.running;
    if (free <= 0) return [];
    const waiting = this.order.filter((id) => this.state.get(id) === 'waiting');
    if (this.strategy.mode !== 'batched') return waiting.slice(0, free);

    // the open batch is the earliest one with a scene not yet settled
    const open = this.order.find((id) => this.state.get(id) !== 'settled');
    if (open === undefined) return [];
    const current = this.batch.get(open);
    return waiting.filter((id) => this.batch.get(id) === current).slice(0, free);
  }
}
