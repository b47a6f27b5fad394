import type { Progress } from '../../schema/progress';
import type { GenerationHandle } from '../../client/generation-client';

/** Polls the progress query until `predicate` holds (or fails after `timeoutMs`). */
export async function waitForProgress(
  handle: GenerationHandle,
  predicate: (p: Progress) => boolean,
  timeoutMs = 30_000
): Promise<Progress> {
  const deadline = Date.now() + timeoutMs;
  let last: Progress | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.progress();
      if (predicate(last)) return last;
    } catch {
      // the workflow has not run its first task yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `progress never matched; last: ${JSON.stringify(last && { status: last.status, waitingFor: last.waitingFor, gate: last.gate })}`
  );
}
