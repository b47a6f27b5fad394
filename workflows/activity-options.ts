import { proxyActivities, workflowInfo, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { Activities } from '../schema/activities';
import { nonRetryableActivityFailures } from '../schema/failures';
import { durationMs, type Plan } from '../schema/plan';
import { createQueueOf } from '../schema/task-queues';

const retry = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  nonRetryableErrorTypes: nonRetryableActivityFailures,
};

/**
 * The activities with their options. No activity waits on a model: predictions are created by
 * a short activity and waited for by the workflow.
 * - create: on its own task queue, whose rate Temporal limits for every worker together; a
 *   dead worker is noticed by its heartbeat; retried for up to `timeouts.sceneAttempt` (a retry
 *   first looks for the prediction an earlier try may have created).
 * - control: reading, finding and cancelling predictions, and uploading references and keyframes again.
 * - long: downloads (clips, keyframes), scoring and assembly, which heartbeat so a crashed worker's work moves on
 *   within a heartbeat timeout.
 * - notify: tried again in the background for an hour.
 */
export function generationActivities(plan: Plan): ActivityInterfaceFor<Activities> {
  const heartbeatTimeout = durationMs(plan.timeouts.heartbeat);
  const create = proxyActivities<Activities>({
    taskQueue: createQueueOf(workflowInfo().taskQueue),
    startToCloseTimeout: '1m',
    heartbeatTimeout,
    // a create that cannot get through within an attempt's time gives up; the workflow then looks for its prediction
    scheduleToCloseTimeout: durationMs(plan.timeouts.sceneAttempt),
    retry,
  });
  const control = proxyActivities<Activities>({
    startToCloseTimeout: '2m',
    heartbeatTimeout,
    retry: { ...retry, maximumAttempts: 10 },
  });
  // a prediction left running bills: cancelling it is tried for as long as it takes
  const cancel = proxyActivities<Activities>({
    startToCloseTimeout: '2m',
    heartbeatTimeout,
    scheduleToCloseTimeout: '1h',
    retry,
  });
  const long = proxyActivities<Activities>({
    startToCloseTimeout: '15m',
    heartbeatTimeout,
    retry: { ...retry, maximumAttempts: 8 },
  });
  // a receiver that is down is tried again for an hour; the generation never waits for it
  const notify = proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '1h',
    retry: {
      initialInterval: '2s',
      backoffCoefficient: 2,
      maximumInterval: '5m',
      nonRetryableErrorTypes: nonRetryableActivityFailures,
    },
  });
  return {
    prepareGeneration: long.prepareGeneration,
    renewReferences: control.renewReferences,
    createPrediction: create.createPrediction,
    findPrediction: control.findPrediction,
    getPrediction: control.getPrediction,
    cancelPrediction: cancel.cancelPrediction,
    collectClip: long.collectClip,
    collectKeyframe: long.collectKeyframe,
    renewKeyframe: control.renewKeyframe,
    scoreClip: long.scoreClip,
    sampleFrames: long.sampleFrames,
    assembleVideo: long.assembleVideo,
    notify: notify.notify,
  };
}

export type GenerationActivities = ReturnType<typeof generationActivities>;
