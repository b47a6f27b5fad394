import { EventEmitter } from 'node:events';

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
   * all when it was nudged since `seen` was counted. A plain timer, not `AbortSignal.any` over
   * `AbortSignal.timeout`: on Node 20 a collection can take the timeout signal out from under the
   * combined one (nodejs/node#57736), and a live page then waited for a nudge that never came;
   * each combined signal also stayed on the page's signal until the page went away.
   */
  async wait(id: string, seen: number, ms: number, page?: AbortSignal): Promise<void> {
    if (this.count(id) !== seen || page?.aborted) return;
    const event = this.eventOf(id);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.events.off(event, done);
        page?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.events.on(event, done);
      page?.addEventListener('abort', done);
    });
  }
}
