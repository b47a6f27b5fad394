import { z } from 'zod';
import { sceneOverridesSchema } from './plan';

const usd = (what: string) => z.number({ error: `${what} must be a number of US dollars` }).finite();

/** Signal `raiseBudget`: adds money to the limit. */
export const raiseBudgetSchema = z.object({
  amountUsd: usd('amountUsd').positive({ error: 'amountUsd must be more than 0' }),
});
/** Signal `setBudget`: replaces the limit. */
export const setBudgetSchema = z.object({
  limitUsd: usd('limitUsd').nonnegative({ error: 'limitUsd must be 0 or more' }),
});
/** Update `approveGate`: a person accepts the gate scene as it is. */
export const approveGateSchema = z.object({ note: z.string().max(1000).optional() }).default({});
/** Update `rejectGate`: a person rejects the gate scene. */
export const rejectGateSchema = z.object({
  reason: z.string().min(1, { error: 'reason must not be empty' }).max(1000),
});
/** Update `retryScene`: an operator gives a failed scene new attempts, optionally changed. */
export const retrySceneSchema = z.object({
  sceneId: z.string().min(1, { error: 'sceneId must not be empty' }),
  overrides: sceneOverridesSchema.optional(),
});
/** Update `skipScene`: an operator leaves a failed scene out of the video. */
export const skipSceneSchema = z.object({ sceneId: z.string().min(1, { error: 'sceneId must not be empty' }) });
/** Update `abort`: an operator stops the generation; in-flight predictions are cancelled. */
export const abortSchema = z.object({ reason: z.string().min(1, { error: 'reason must not be empty' }).max(1000) });

export type RaiseBudget = z.infer<typeof raiseBudgetSchema>;
export type SetBudget = z.infer<typeof setBudgetSchema>;
export type ApproveGate = z.input<typeof approveGateSchema>;
export type RejectGate = z.infer<typeof rejectGateSchema>;
export type RetryScene = z.infer<typeof retrySceneSchema>;
export type SkipScene = z.infer<typeof skipSceneSchema>;
export type Abort = z.infer<typeof abortSchema>;

/** What every operator update answers: what it did, in a sentence. */
export const updateOutcomeSchema = z.object({ accepted: z.literal(true), message: z.string() });
export type UpdateOutcome = z.infer<typeof updateOutcomeSchema>;
