/**
 * The live pages' streams. Closing the console ends them and waits until none is still reading
 * from Temporal: a read still in flight when its caller closes the Temporal connection is retried
 * by the client on a closed channel, which then throws outside any caller.
 */
export class LiveStreams {
  private readonly running = new Map<Promise<void>, AbortController>();
  private closed = false;

  /** Runs a stream's loop, known to `close` until it ends; `closing` is aborted when the console closes. */
  run(loop: (closing: AbortSignal) => Promise<void>): Promise<void> {
    const stop = new AbortController();
    if (this.closed) stop.abort();
    const running: Promise<void> = loop(stop.signal).finally(() => this.running.delete(running));
    this.running.set(running, stop);
    return running;
  }

  /** Asks every stream to end, and waits until their reads are done. */
  async close(): Promise<void> {
    this.closed = true;
    for (const stop of this.running.values()) stop.abort();
    await Promise.allSettled([...this.running.keys()]);
  }
}

/** Waits `ms`, or less when `signal` is aborted. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
