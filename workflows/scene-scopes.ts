import { CancellationScope, isCancellation } from '@temporalio/workflow';

/**
 * The scene tasks in flight, each in its own cancellation scope so that one scene (or all of
 * them) can be stopped without stopping the generation's own clean-up.
 */
export class SceneScopes {
  private readonly tasks = new Map<string, { scope: CancellationScope; promise: Promise<void> }>();
  /** The first error a task ended with other than its cancellation: a bug, to fail the workflow task with. */
  failure: unknown = null;

  get size(): number {
    return this.tasks.size;
  }

  has(id: string): boolean {
    return this.tasks.has(id);
  }

  /** Runs `body` for a scene in a scope of its own; `onEnd` runs when it settles, however it ends. */
  start(id: string, body: () => Promise<void>, onEnd: () => void): void {
    const scope = new CancellationScope();
    const promise = scope
      .run(body)
      .catch((err: unknown) => {
        // a cancelled task ends here; anything else is a bug the driver rethrows, so the workflow task fails and retries
        if (!isCancellation(err)) this.failure ??= err;
      })
      .finally(() => {
        this.tasks.delete(id);
        onEnd();
      });
    this.tasks.set(id, { scope, promise });
  }

  /** Cancels every scene in flight (their predictions are cancelled by their activities). */
  cancelAll(): void {
    for (const task of this.tasks.values()) task.scope.cancel();
  }

  /** Resolves once every scene task has settled. */
  async drained(): Promise<void> {
    await Promise.allSettled([...this.tasks.values()].map((t) => t.promise));
  }
}
