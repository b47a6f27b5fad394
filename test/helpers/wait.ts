import { finishedStatuses, type Progress } from '../../schema/progress';
import type { GenerationHandle } from '../../client/generation-client';

/**
 * Polls until `check` returns something other than undefined or false, and returns it. The
 * timeout is a safety net for a broken run, never a claim about speed.
 */
export async function waitUntil<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

/**
 * Polls the progress query until `predicate` holds. A generation that ended without it holding
 * fails the wait at once: an ended run's progress no longer changes.
 */
export async function waitForProgress(
  handle: GenerationHandle,
  predicate: (p: Progress) => boolean,
  timeoutMs = 60_000
): Promise<Progress> {
  let last: Progress | undefined;
  const ended = await waitUntil(
    'progress',
    async () => {
      last = await handle.progress();
      if (predicate(last)) return { matched: last };
      return finishedStatuses.includes(last.status) ? { matched: null } : undefined;
    },
    timeoutMs
  ).catch(() => ({ matched: null }));
  if (ended.matched) return ended.matched;
  const seen = last && {
    status: last.status,
    waitingFor: last.waitingFor,
    totals: last.totals,
    gate: last.gate.status,
  };
  throw new Error(`progress never matched; last: ${JSON.stringify(seen)}`);
}
