import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  Abort,
  ApproveGate,
  ApproveScene,
  PredictionSettled,
  ReleaseStoryboard,
  RaiseBudget,
  RedoKeyframe,
  RejectGate,
  RejectScene,
  RetryScene,
  SetBudget,
  SkipScene,
  UpdateOutcome,
} from '../schema/messages';
import type { Progress } from '../schema/progress';

/** The workflow type operators and tools start: `temporal workflow start --type generateVideo`. */
export const GENERATE_VIDEO_WORKFLOW = 'generateVideo';

/** Per-scene status, attempts, cost, score and clip; totals, percent and ETA. */
export const progressQuery = defineQuery<Progress>('progress');
/** Adds money to the budget limit; a paused generation resumes when the next attempt fits. */
export const raiseBudgetSignal = defineSignal<[RaiseBudget]>('raiseBudget');
/** A prediction ended: sent by the webhook receiver; a duplicate, or one for another prediction, changes nothing. */
export const predictionSettledSignal = defineSignal<[PredictionSettled]>('predictionSettled');
/** Replaces the budget limit. */
export const setBudgetSignal = defineSignal<[SetBudget]>('setBudget');
/** Accepts the gate scene(s) awaiting a person's decision. */
export const approveGateUpdate = defineUpdate<UpdateOutcome, [ApproveGate]>('approveGate');
/** Rejects the gate scene(s) awaiting a person's decision. */
export const rejectGateUpdate = defineUpdate<UpdateOutcome, [RejectGate]>('rejectGate');
/** Keeps the clip of a scene that drifted from its references and waits for a person. */
export const approveSceneUpdate = defineUpdate<UpdateOutcome, [ApproveScene]>('approveScene');
/** Has a scene that drifted from its references made again (while its checked attempts last). */
export const rejectSceneUpdate = defineUpdate<UpdateOutcome, [RejectScene]>('rejectScene');
/** Animates every keyframe on the storyboard (`keyframe.storyboard: approve`). */
export const releaseStoryboardUpdate = defineUpdate<UpdateOutcome, [ReleaseStoryboard]>('releaseStoryboard');
/** Has one keyframe on the storyboard made again, one step stronger, before the release. */
export const redoKeyframeUpdate = defineUpdate<UpdateOutcome, [RedoKeyframe]>('redoKeyframe');
/** Gives a failed scene new attempts, optionally with a new prompt, strength or seed. */
export const retrySceneUpdate = defineUpdate<UpdateOutcome, [RetryScene]>('retryScene');
/** Leaves a failed scene out of the video. */
export const skipSceneUpdate = defineUpdate<UpdateOutcome, [SkipScene]>('skipScene');
/** Stops the generation: in-flight predictions are cancelled and the run fails as Aborted. */
export const abortUpdate = defineUpdate<UpdateOutcome, [Abort]>('abort');
