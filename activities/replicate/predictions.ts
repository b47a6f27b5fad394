import type Replicate from 'replicate';
import type { Prediction } from 'replicate';
import { isFinalStatus } from '../../schema/prediction';
import { asHttpError, isTransient } from './errors';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Cancels a prediction and waits until Replicate confirms a terminal state, with fresh
 * requests (an activity's own abort signal is already fired when this runs). Gives up after
 * `timeoutMs` and returns the last state seen.
 */
export async function cancelAndConfirm(
  replicate: Replicate,
  predictionId: string,
  options: { timeoutMs?: number; onPoll?: (p: Prediction) => void } = {}
): Promise<Prediction | undefined> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: Prediction | undefined;
  let delay = 250;
  while (Date.now() < deadline) {
    try {
      last = isFinalStatus(last?.status ?? '') ? last : await replicate.predictions.cancel(predictionId);
      if (last && isFinalStatus(last.status)) return last;
      last = await replicate.predictions.get(predictionId);
      options.onPoll?.(last);
      if (isFinalStatus(last.status)) return last;
    } catch (err) {
      if (!isTransient(err)) throw err;
      const wait = asHttpError(err)?.retryAfterSec;
      if (wait) delay = Math.max(delay, wait * 1000);
    }
    await pause(delay);
    delay = Math.min(delay * 2, 5000);
  }
  return last;
}
