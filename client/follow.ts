import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure } from '@temporalio/common';
import type { GenerationResult } from '../schema/progress';
import type { GenerationHandle } from './generation-client';
import { ExitCode, UserFacingError } from '../common/run-main';
import { ProgressView } from './watch';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Explains how a generation ended badly, in one sentence, as a user-facing error. */
function outcomeError(id: string, err: unknown): UserFacingError {
  if (err instanceof WorkflowFailedError) {
    const cause = err.cause;
    if (cause instanceof CancelledFailure)
      return new UserFacingError(`generation ${id} was cancelled`, ExitCode.generationFailed);
    if (cause instanceof TerminatedFailure)
      return new UserFacingError(`generation ${id} was terminated`, ExitCode.generationFailed);
    if (cause instanceof ApplicationFailure) {
      return new UserFacingError(
        `generation ${id} failed (${cause.type}): ${cause.message}`,
        ExitCode.generationFailed
      );
    }
    return new UserFacingError(`generation ${id} failed: ${cause?.message ?? err.message}`, ExitCode.generationFailed);
  }
  return err instanceof UserFacingError ? err : new UserFacingError((err as Error).message, ExitCode.failure);
}

/**
 * Shows a generation's progress until it ends, then returns its result.
 * @throws UserFacingError with the generation-failed exit code when it failed or was cancelled.
 */
export async function follow(
  handle: GenerationHandle,
  options: { intervalMs?: number; out?: NodeJS.WritableStream } = {}
): Promise<GenerationResult> {
  const view = new ProgressView(options.out as NodeJS.WriteStream | undefined);
  let done = false;
  const result = handle.result().finally(() => {
    done = true;
  });
  result.catch(() => undefined);
  while (!done) {
    try {
      view.show(await handle.progress());
    } catch {
      // a query needs a worker; while none answers the display just waits
    }
    await Promise.race([pause(options.intervalMs ?? 1000), result.catch(() => undefined)]);
  }
  try {
    view.show(await handle.progress());
  } catch {
    // closed and no worker to replay it: the result below says how it ended
  }
  try {
    return await result;
  } catch (err) {
    throw outcomeError(handle.id, err);
  }
}
