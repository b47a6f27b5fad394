import { ActivityCancellationType, proxyActivities, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { nonRetryableActivityFailures } from '../schema/failures';
import { durationMs, type Plan } from '../schema/plan';

const retry = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  nonRetryableErrorTypes: nonRetryableActivityFailures,
};

/**
 * The activities with their options: short control calls (preparation, clean-up, assembly)
 * and long paid calls (a scene attempt, a paid score), which heartbeat, and whose cancellation
 * the workflow waits for, so it knows billing stopped before it moves on.
 */
export function generationActivities(plan: Plan): ActivityInterfaceFor<Activities> {
  const control = proxyActivities<Activities>({
    startToCloseTimeout: '10m',
    heartbeatTimeout: '2m',
    retry: { ...retry, maximumAttempts: 8 },
  });
  const paid = proxyActivities<Activities>({
    startToCloseTimeout: durationMs(plan.timeouts.sceneAttempt),
    heartbeatTimeout: durationMs(plan.timeouts.heartbeat),
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    // rate limits and outages are ridden out here; a model failure comes back as a value instead
    retry: { ...retry, maximumAttempts: 12 },
  });
  return {
    prepareGeneration: control.prepareGeneration,
    cancelPrediction: control.cancelPrediction,
    assembleVideo: control.assembleVideo,
    generateSceneClip: paid.generateSceneClip,
    scoreConsistency: paid.scoreConsistency,
  };
}

export type GenerationActivities = ReturnType<typeof generationActivities>;
