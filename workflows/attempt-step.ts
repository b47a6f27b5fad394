import { isCancellation, log } from '@temporalio/workflow';
import type { PredictionSnapshot } from '../schema/prediction';
import type { GenerationActivities } from './activity-options';
import { accountFailureOf, isPermanent, messageOf } from './failure-details';
import { runPaidCall } from './paid-call';
import type { PaidCall } from './rules/paid-calls';
import type { SceneAttempts } from './rules/scene-attempts';

/**
 * One paid step of a scene attempt (its keyframe, or its clip): its prediction, then what it
 * made, copied into storage by `collect`. Returns what `collect` returned, or null when the step
 * failed (recorded as the attempt's failure). Rejects only when cancelled.
 */
export async function attemptStep<T>(
  attempts: SceneAttempts,
  call: PaidCall,
  collect: (prediction: PredictionSnapshot) => Promise<T>,
  acts: GenerationActivities
): Promise<T | null> {
  const id = call.sceneId;
  try {
    const outcome = await runPaidCall(attempts, acts, call);
    attempts.predictionEnded(id);
    if (outcome.kind === 'not-created') {
      attempts.failed(id, { error: messageOf(outcome.failure), permanent: isPermanent(outcome.failure) });
      // a refused token or an empty account fails every scene alike: stop the generation now, once
      const account = accountFailureOf(outcome.failure);
      if (account) attempts.halt(account);
      return null;
    }
    if (outcome.kind === 'timed-out') {
      const limit = String(attempts.plan.timeouts.sceneAttempt);
      const error = `the prediction ran longer than timeouts.sceneAttempt (${limit}) and was cancelled`;
      attempts.failed(id, { error, permanent: false });
      return null;
    }
    // a failed run fails the collecting activity (red in the Web UI) with the model's error
    return await collect(outcome.prediction);
  } catch (err) {
    if (isCancellation(err)) {
      attempts.cancelled(id);
      throw err;
    }
    log.warn('scene attempt failed', { key: call.key, error: messageOf(err) });
    attempts.failed(id, { error: messageOf(err), permanent: false });
    return null;
  }
}
