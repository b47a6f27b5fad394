import { z } from 'zod';
import { aspectRatioSchema } from './plan';
import { pricingSchema } from './catalogue';

/** A reference image after preparation: checked once, uploaded once, reused by every scene. */
export const preparedReferenceSchema = z.object({
  groupId: z.string(),
  /** What the plan said: a local path or an https URL. */
  source: z.string(),
  /** The URL models receive (a Replicate Files API URL, or the https source). */
  url: z.string(),
  /** A copy in scenegate's storage, for the local scorer and the contact sheet. */
  localPath: z.string(),
  sha256: z.string(),
});
export type PreparedReference = z.infer<typeof preparedReferenceSchema>;

export const prepareGenerationInputSchema = z.object({
  generationId: z.string(),
  model: z.string(),
  groups: z.array(z.object({ id: z.string(), referenceImages: z.array(z.string()) })),
  /** The consistency groups each scene shows, to check the model gets the references it needs. */
  scenes: z.array(z.object({ entities: z.array(z.string()) })).optional(),
  /** Which gate scorer will run, so its price comes back too. */
  scorer: z.enum(['local', 'clip', 'manual']),
});
export type PrepareGenerationInput = z.infer<typeof prepareGenerationInputSchema>;

export const prepareGenerationResultSchema = z.object({
  references: z.array(preparedReferenceSchema),
  /** The scene model's price and the clip length it really produces, for budget estimates. */
  model: z.object({
    id: z.string(),
    pricing: pricingSchema,
    outputDuration: z.union([z.literal('requested'), z.object({ fixedSec: z.number() })]),
  }),
  scorerPricing: pricingSchema.nullable(),
});
export type PrepareGenerationResult = z.infer<typeof prepareGenerationResultSchema>;

/** One scene attempt: the model-independent request every adapter maps onto its model. */
export const sceneClipRequestSchema = z.object({
  generationId: z.string(),
  sceneId: z.string(),
  /** The workflow's attempt number for this scene (each one is a new, paid prediction). */
  attempt: z.number().int().positive(),
  model: z.string(),
  prompt: z.string(),
  negativePrompt: z.string().optional(),
  references: z.array(z.object({ groupId: z.string(), urls: z.array(z.string()) })),
  strength: z.number().min(0).max(1),
  seed: z.number().int().nonnegative(),
  durationSec: z.number().positive(),
  aspectRatio: aspectRatioSchema,
  /** Predictions of earlier attempts, never to be mistaken for this attempt's when reconciling. */
  excludePredictionIds: z.array(z.string()).default([]),
});
export type SceneClipRequest = z.input<typeof sceneClipRequestSchema>;

export const sceneClipResultSchema = z.object({
  /**
   * Always `succeeded` now: a failed run is a failed activity (type PredictionFailed). Histories
   * recorded before that carry `failed` (the model failed, paid) or `canceled` here.
   */
  outcome: z.enum(['succeeded', 'failed', 'canceled']),
  predictionId: z.string(),
  costUsd: z.number().nonnegative(),
  error: z.string().nullable(),
  clip: z.object({ path: z.string(), durationSec: z.number(), sizeBytes: z.number() }).nullable(),
});
export type SceneClipResult = z.infer<typeof sceneClipResultSchema>;

export const cancelPredictionInputSchema = z.object({
  predictionId: z.string(),
  model: z.string(),
  durationSec: z.number(),
});
export type CancelPredictionInput = z.infer<typeof cancelPredictionInputSchema>;
export const cancelPredictionResultSchema = z.object({ status: z.string(), costUsd: z.number().nonnegative() });
export type CancelPredictionResult = z.infer<typeof cancelPredictionResultSchema>;

export const scoreConsistencyInputSchema = z.object({
  generationId: z.string(),
  sceneId: z.string(),
  scorer: z.enum(['local', 'clip']),
  clipPath: z.string(),
  references: z.array(preparedReferenceSchema),
});
export type ScoreConsistencyInput = z.infer<typeof scoreConsistencyInputSchema>;
export const scoreConsistencyResultSchema = z.object({
  score: z.number(),
  perReference: z.array(z.object({ groupId: z.string(), source: z.string(), score: z.number() })),
  costUsd: z.number().nonnegative(),
});
export type ScoreConsistencyResult = z.infer<typeof scoreConsistencyResultSchema>;

export const assembleVideoInputSchema = z.object({
  generationId: z.string(),
  clips: z.array(z.object({ sceneId: z.string(), path: z.string() })),
  references: z.array(preparedReferenceSchema),
});
export type AssembleVideoInput = z.infer<typeof assembleVideoInputSchema>;
export const assembleVideoResultSchema = z.object({
  videoPath: z.string(),
  contactSheetPath: z.string(),
  durationSec: z.number(),
  sizeBytes: z.number(),
});
export type AssembleVideoResult = z.infer<typeof assembleVideoResultSchema>;
