import { EventEmitter, once } from 'node:events';

/**
 * Wakes a generation's live pages when an action on it was answered, so the page shows its
 * effect now rather than at the next poll. A count per generation catches an action answered
 * while a page was busy reading progress, between two waits.
 */
export class Nudges {
  private readonly counts = new Map<string, number>();
  private readonly events = new EventEmitter().setMaxListeners(0);

  count(id: string): number {
    return this.counts.get(id) ?? 0;
  }

  nudge(id: string): void {
    this.counts.set(id, this.count(id) + 1);
    this.events.emit(id);
  }

  /** Waits up to `ms`, or less once `id` is nudged; not at all when it was since `seen` was counted. */
  async wait(id: string, seen: number, ms: number): Promise<void> {
    if (this.count(id) !== seen) return;
    await once(this.events, id, { signal: AbortSignal.timeout(ms) }).catch(() => undefined);
  }
}
