import { z } from 'zod';
import { usdAmount } from './money';
import { sceneOverridesSchema } from './plan';
import { predictionSnapshotSchema } from './prediction';
import { strictObject } from './strict';

const reason = z
  .string({ error: 'must be a sentence' })
  .min(1, { error: 'must not be empty' })
  .max(1000, { error: 'must be at most 1000 characters' });
const sceneId = z
  .string({ error: 'must be a scene id' })
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' });
/** A paid call's key (`s2#1`, `s1#2/score#1`): it is logged and goes into webhook URLs, so nothing else gets in. */
const callKey = z.string().regex(/^[A-Za-z0-9._#/-]{1,200}$/, {
  error: 'must be a call key such as "s2#1": 1 to 200 letters, digits, ".", "_", "-", "#" or "/"',
});

/** Signal `raiseBudget`: adds money to the limit (the limit never goes past MAX_BUDGET_USD). */
export const raiseBudgetSchema = strictObject({ amountUsd: usdAmount().positive({ error: 'must be more than 0' }) });
/** Signal `setBudget`: replaces the limit. */
export const setBudgetSchema = strictObject({ limitUsd: usdAmount().nonnegative({ error: 'must be 0 or more' }) });
/** Update `approveGate`: a person accepts the gate scene as it is. */
export const approveGateSchema = strictObject({ note: reason.optional() }).default({});
/** Update `rejectGate`: a person rejects the gate scene. */
export const rejectGateSchema = strictObject({ reason });
/** Update `approveScene`: a person keeps the clip of a scene that drifted from its references. */
export const approveSceneSchema = strictObject({ sceneId, note: reason.optional() });
/** Update `rejectScene`: a person has a drifted scene made again (while its checked attempts last). */
export const rejectSceneSchema = strictObject({ sceneId, reason });
/** Update `releaseStoryboard`: a person has every keyframe on the storyboard animated. */
export const releaseStoryboardSchema = strictObject({ note: reason.optional() }).default({});
/** Update `redoKeyframe`: a person has one keyframe on the storyboard made again, one step stronger. */
export const redoKeyframeSchema = strictObject({ sceneId, reason });
/** Update `retryScene`: an operator gives a failed scene new attempts, optionally changed. */
export const retrySceneSchema = strictObject({ sceneId, overrides: sceneOverridesSchema.optional() });
/** Update `skipScene`: an operator leaves a failed scene out of the video. */
export const skipSceneSchema = strictObject({ sceneId });
/** Update `abort`: an operator stops the generation; in-flight predictions are cancelled. */
export const abortSchema = strictObject({ reason });

/**
 * Signal `predictionSettled`: the webhook receiver (or anyone holding the webhook secret) tells
 * the workflow a prediction ended. The workflow ignores one it does not expect, or already knows.
 */
export const predictionSettledSchema = z.object({ key: callKey, prediction: predictionSnapshotSchema });

export type RaiseBudget = z.infer<typeof raiseBudgetSchema>;
export type PredictionSettled = z.infer<typeof predictionSettledSchema>;
export type SetBudget = z.infer<typeof setBudgetSchema>;
export type ApproveGate = z.input<typeof approveGateSchema>;
export type RejectGate = z.infer<typeof rejectGateSchema>;
export type ApproveScene = z.infer<typeof approveSceneSchema>;
export type RejectScene = z.infer<typeof rejectSceneSchema>;
export type ReleaseStoryboard = z.input<typeof releaseStoryboardSchema>;
export type RedoKeyframe = z.infer<typeof redoKeyframeSchema>;
export type RetryScene = z.infer<typeof retrySceneSchema>;
export type SkipScene = z.infer<typeof skipSceneSchema>;
export type Abort = z.infer<typeof abortSchema>;

/** What every operator update answers: what it did, in a sentence. */
export const updateOutcomeSchema = z.object({ accepted: z.literal(true), message: z.string() });
export type UpdateOutcome = z.infer<typeof updateOutcomeSchema>;
