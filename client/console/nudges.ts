import { EventEmitter, once } from 'node:events';

/**
 * Wakes a generation's live pages when an action on it was answered, so the page shows its
 * effect now rather than at the next poll. A count per generation catches an action answered
 * while a page was busy reading progress, between two waits; it is one number per generation
 * acted on from this console.
 */
export class Nudges {
  private readonly counts = new Map<string, number>();
  // one listener per live page of a generation, however many people have it open
  private readonly events = new EventEmitter().setMaxListeners(0);
  // `error` is a valid generation id, and an `error` event nobody listens to throws
  private readonly eventOf = (id: string): string => `nudge:${id}`;

  /** How many times `id` was nudged: taken before a page reads, handed to `wait` after. */
  count(id: string): number {
    return this.counts.get(id) ?? 0;
  }

  /** An action on `id` was answered: its pages read again now. */
  nudge(id: string): void {
    this.counts.set(id, this.count(id) + 1);
    this.events.emit(this.eventOf(id));
  }

  /**
   * Waits up to `ms`, or until `id` is nudged or `page` aborts (the browser went away); not at
   * all when it was nudged since `seen` was counted.
   */
  async wait(id: string, seen: number, ms: number, page?: AbortSignal): Promise<void> {
    if (this.count(id) !== seen || page?.aborted) return;
    const signal = page ? AbortSignal.any([AbortSignal.timeout(ms), page]) : AbortSignal.timeout(ms);
    await once(this.events, this.eventOf(id), { signal }).catch(() => undefined);
  }
}
