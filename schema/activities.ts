import { z } from 'zod';
import { modelEntrySchema, scorerEntrySchema } from './catalogue';
import { aspectRatioSchema, gateScorerSchema, groupKindSchema, pipelineSchema } from './plan';
import type { Notification } from './notification';
import { predictionSnapshotSchema, type PredictionSnapshot } from './prediction';

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
  /**
   * When `url` stops working (ms since the epoch): a Files API upload's `expires_at`, a presigned
   * URL's end. Unset: it does not expire (an https source), or it was prepared before this was kept.
   */
  expiresAt: z.number().optional(),
  /** Its group's kind: the vision scorer compares a character by face, a product or style by local features. */
  kind: groupKindSchema.optional(),
  /** The worker-side scorer `scoreClip` measures it with; unset (runs prepared before `vision`): local. */
  scorer: z.enum(['local', 'vision']).optional(),
});
export type PreparedReference = z.infer<typeof preparedReferenceSchema>;

export const prepareGenerationInputSchema = z.object({
  generationId: z.string(),
  /** The plan's model; unset means the catalogue's default for where the worker runs (emulator or hosted). */
  model: z.string().optional(),
  // kind, durationSec and aspectRatio came later: a run prepared before them still parses
  groups: z.array(z.object({ id: z.string(), kind: groupKindSchema.optional(), referenceImages: z.array(z.string()) })),
  /** The consistency groups each scene shows, to check the model gets the references it needs. */
  scenes: z.array(z.object({ entities: z.array(z.string()), durationSec: z.number().optional() })),
  aspectRatio: aspectRatioSchema.optional(),
  /** The plan's gate scorer, when the gate is on; unset means the default for where the worker runs. */
  scorer: gateScorerSchema.optional(),
  gateEnabled: z.boolean(),
  /** The plan's pipeline; unset (runs prepared before keyframes): direct. */
  pipeline: pipelineSchema.optional(),
  /** The plan's `keyframe.model`; unset means the catalogue's default for where the worker runs and the scenes' groups. */
  keyframeModel: z.string().optional(),
});
export type PrepareGenerationInput = z.infer<typeof prepareGenerationInputSchema>;

export const prepareGenerationResultSchema = z.object({
  references: z.array(preparedReferenceSchema),
  /**
   * The model scenes run on, as the catalogue describes it: the workflow maps requests onto its
   * inputs. With `pipeline: keyframe`, the image-to-video model that animates each keyframe.
   */
  model: modelEntrySchema,
  /** With `pipeline: keyframe`, the image model keyframes come from; null for direct (and, parsed, in results recorded before keyframes). */
  keyframeModel: modelEntrySchema.nullable().default(null),
  /** The gate's scorer, resolved; the CLIP model when it is `clip`. */
  scorer: gateScorerSchema,
  scorerModel: scorerEntrySchema.nullable(),
  /** The generation's page in the review console the worker knows of (SCENEGATE_CONSOLE_URL); unset: none. */
  consoleUrl: z.string().optional(),
  /** True when the worker has a notification receiver (SCENEGATE_NOTIFY_URL): the generation then notifies. */
  notify: z.boolean().optional(),
});
export type PrepareGenerationResult = z.infer<typeof prepareGenerationResultSchema>;

/** References whose URLs near their expiry, to upload again from scenegate's storage. */
export const renewReferencesInputSchema = z.object({
  generationId: z.string(),
  references: z.array(preparedReferenceSchema),
});
export type RenewReferencesInput = z.infer<typeof renewReferencesInputSchema>;
export const renewReferencesResultSchema = z.object({
  /** The new URL of each renewed one, by its old URL. */
  renewed: z.array(z.object({ from: z.string(), url: z.string(), expiresAt: z.number().optional() })),
});
export type RenewReferencesResult = z.infer<typeof renewReferencesResultSchema>;

/** One paid prediction to create. */
export const createPredictionInputSchema = z.object({
  /** Names the paid call in its generation, for reconciling and for its webhook: `s2#1`, or `s1#2/score#1`. */
  key: z.string(),
  /** The workflow the prediction's webhook signals. */
  workflowId: z.string(),
  model: z.string(),
  version: z.string().optional(),
  input: z.record(z.string(), z.unknown()),
  /** Predictions of this generation already known, never to be adopted as this call's. */
  knownIds: z.array(z.string()),
  /**
   * Replicate cancels the prediction this long after its create (`Cancel-After`), so billing stops
   * even when no worker is left to cancel it: `aborted` (unbilled) if it never started. Unset in
   * creates scheduled before scenegate sent it.
   */
  cancelAfterSec: z.number().int().positive().optional(),
});
export type CreatePredictionInput = z.infer<typeof createPredictionInputSchema>;

export const createdPredictionSchema = z.object({
  prediction: predictionSnapshotSchema,
  /** True when Replicate will call scenegate's webhook receiver when it ends. */
  webhook: z.boolean(),
  /** True when a retry found the prediction an earlier try had created, instead of creating another. */
  adopted: z.boolean(),
});
export type CreatedPrediction = z.infer<typeof createdPredictionSchema>;

/** Looks for the prediction of a create whose outcome is unknown. */
export const findPredictionInputSchema = createPredictionInputSchema.extend({
  /** When the create was first scheduled (ms since the epoch). */
  since: z.number(),
});
export type FindPredictionInput = z.infer<typeof findPredictionInputSchema>;

export const predictionRefSchema = z.object({ predictionId: z.string() });
export type PredictionRef = z.infer<typeof predictionRefSchema>;

/** A finished scene prediction: its video is copied into storage, or its failure reported. */
export const collectClipInputSchema = z.object({
  generationId: z.string(),
  sceneId: z.string(),
  attempt: z.number().int().positive(),
  prediction: predictionSnapshotSchema,
});
export type CollectClipInput = z.infer<typeof collectClipInputSchema>;

export const clipSchema = z.object({ path: z.string(), durationSec: z.number(), sizeBytes: z.number() });
export type StoredClip = z.infer<typeof clipSchema>;

/** A finished keyframe prediction (`pipeline: keyframe`): its image copied into storage and put where the video model fetches it. */
export const collectKeyframeInputSchema = collectClipInputSchema;
export type CollectKeyframeInput = z.infer<typeof collectKeyframeInputSchema>;

export const storedKeyframeSchema = z.object({
  /** The image in scenegate's storage (`<generation>/keyframes/<scene>-a<attempt>.png`, or .jpg, .webp): what the console shows. */
  key: z.string(),
  /**
   * A one-second still clip of the keyframe (`<generation>/keyframes/<scene>-a<attempt>.mp4`):
   * `scoreClip` and `sampleFrames` read clips, so a keyframe is scored through it as a clip is.
   */
  stillClipPath: z.string(),
  /** The URL the image-to-video model fetches it from: a presigned URL of the stored copy, or a Replicate Files API upload. */
  modelUrl: z.string(),
  /** When `modelUrl` stops working (ms since the epoch), as for references; unset: not known. */
  expiresAt: z.number().optional(),
  sizeBytes: z.number(),
});
export type StoredKeyframe = z.infer<typeof storedKeyframeSchema>;

/** A keyframe whose URL nears its expiry (a storyboard may wait for a person longer than it lives), published again before its clip is created. */
export const renewKeyframeInputSchema = z.object({
  generationId: z.string(),
  sceneId: z.string(),
  attempt: z.number().int().positive(),
  /** The keyframe's image in scenegate's storage (`StoredKeyframe.key`). */
  key: z.string(),
});
export type RenewKeyframeInput = z.infer<typeof renewKeyframeInputSchema>;
export const renewedKeyframeSchema = z.object({
  /** The URL the image-to-video model fetches the keyframe from now. */
  modelUrl: z.string(),
  /** When it stops working (ms since the epoch); unset: not known. */
  expiresAt: z.number().optional(),
});
export type RenewedKeyframe = z.infer<typeof renewedKeyframeSchema>;

export const scoreClipInputSchema = z.object({
  clipPath: z.string(),
  references: z.array(preparedReferenceSchema),
});
export type ScoreClipInput = z.infer<typeof scoreClipInputSchema>;
export const scoreClipResultSchema = z.object({
  score: z.number(),
  perReference: z.array(
    z.object({
      groupId: z.string(),
      source: z.string(),
      /** 0..1; with `vision`, the mean over the frames the subject was found in (0 when none). */
      score: z.number(),
      /** Frames looked at (vision stops at two when they agree). */
      framesSampled: z.number().int().optional(),
      /** Frames in which the subject was found at all (a face, or the product's features): 0 means it was not seen, not that it looked different. */
      framesWithSubject: z.number().int().optional(),
      /** Seconds into the clip of the frame where the subject scored lowest. */
      lowestFrameSec: z.number().optional(),
    })
  ),
  /** CPU seconds the worker-side scorer spent on this clip (frame decoding included). */
  cpuSec: z.number().optional(),
});
export type ScoreClipResult = z.infer<typeof scoreClipResultSchema>;

/** Frames of a clip uploaded for the CLIP scorer. */
export const sampleFramesInputSchema = z.object({ sceneId: z.string(), attempt: z.number(), clipPath: z.string() });
export type SampleFramesInput = z.infer<typeof sampleFramesInputSchema>;
export const sampledFramesSchema = z.object({ frameUrls: z.array(z.string()) });
export type SampledFrames = z.infer<typeof sampledFramesSchema>;

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

/**
 * scenegate's activities: workflows proxy this type and never import the implementations,
 * which activities/index.ts builds from their dependencies.
 */
export interface Activities {
  prepareGeneration(input: PrepareGenerationInput): Promise<PrepareGenerationResult>;
  renewReferences(input: RenewReferencesInput): Promise<RenewReferencesResult>;
  /** Runs on the create queue (see `createQueueOf`), whose rate Temporal limits. */
  createPrediction(input: CreatePredictionInput): Promise<CreatedPrediction>;
  findPrediction(input: FindPredictionInput): Promise<PredictionSnapshot | null>;
  getPrediction(input: PredictionRef): Promise<PredictionSnapshot>;
  cancelPrediction(input: PredictionRef): Promise<PredictionSnapshot>;
  collectClip(input: CollectClipInput): Promise<StoredClip>;
  collectKeyframe(input: CollectKeyframeInput): Promise<StoredKeyframe>;
  renewKeyframe(input: RenewKeyframeInput): Promise<RenewedKeyframe>;
  scoreClip(input: ScoreClipInput): Promise<ScoreClipResult>;
  sampleFrames(input: SampleFramesInput): Promise<SampledFrames>;
  assembleVideo(input: AssembleVideoInput): Promise<AssembleVideoResult>;
  notify(input: Notification): Promise<void>;
}
