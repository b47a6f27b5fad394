import { z } from 'zod';

/** Values of the `GenerationStatus` search attribute and of `progress.status`. */
export const generationStatusSchema = z.enum([
  'preparing',
  'gating',
  'awaiting_approval',
  'generating',
  'awaiting_budget',
  'awaiting_ops',
  'assembling',
  'succeeded',
  'partial',
  'failed',
  'cancelled',
]);
export type GenerationStatus = z.infer<typeof generationStatusSchema>;

export const sceneStatusSchema = z.enum([
  'pending',
  'running',
  'scoring',
  'succeeded',
  'failed',
  'awaiting_ops',
  'skipped',
  'cancelled',
]);
export type SceneStatus = z.infer<typeof sceneStatusSchema>;

export const sceneProgressSchema = z.object({
  id: z.string(),
  /** 1-based position in the plan. */
  index: z.number().int(),
  status: sceneStatusSchema,
  /** Paid attempts (predictions) so far. */
  attempts: z.number().int(),
  costUsd: z.number(),
  strength: z.number(),
  /** Consistency score of the latest scored attempt (gate scenes only). */
  score: z.number().nullable(),
  clipPath: z.string().nullable(),
  predictionId: z.string().nullable(),
  lastError: z.string().nullable(),
  isGateScene: z.boolean(),
});
export type SceneProgress = z.infer<typeof sceneProgressSchema>;

/** What the `progress` query returns. */
export const progressSchema = z.object({
  generationId: z.string(),
  status: generationStatusSchema,
  /** What the generation waits for, in a sentence, or null when it is working. */
  waitingFor: z.string().nullable(),
  model: z.string(),
  strategy: z.object({ mode: z.string(), concurrency: z.number() }),
  seed: z.number(),
  scenes: z.array(sceneProgressSchema),
  totals: z.object({
    scenes: z.number(),
    done: z.number(),
    failed: z.number(),
    skipped: z.number(),
    running: z.number(),
    percent: z.number(),
  }),
  budget: z.object({ limitUsd: z.number(), spentUsd: z.number(), reservedUsd: z.number() }),
  gate: z.object({
    status: z.enum(['disabled', 'pending', 'running', 'awaiting_approval', 'passed', 'approved', 'failed']),
    sceneIds: z.array(z.string()),
    scores: z.array(z.object({ sceneId: z.string(), attempt: z.number(), strength: z.number(), score: z.number() })),
  }),
  startedAt: z.string(),
  updatedAt: z.string(),
  /** Seconds until the last scene should finish, from the pace so far; null before any scene finished. */
  etaSec: z.number().nullable(),
});
export type Progress = z.infer<typeof progressSchema>;

/** What a finished generation returns. */
export const generationResultSchema = z.object({
  generationId: z.string(),
  /** partial: some scenes failed or were skipped, and the video has the others. */
  status: z.enum(['succeeded', 'partial']),
  videoPath: z.string(),
  contactSheetPath: z.string(),
  durationSec: z.number(),
  costUsd: z.number(),
  limitUsd: z.number(),
  scenes: z.array(sceneProgressSchema),
  failedScenes: z.array(z.string()),
  skippedScenes: z.array(z.string()),
});
export type GenerationResult = z.infer<typeof generationResultSchema>;

/** The state a generation stopped in; carried by BudgetExceeded, SceneFailed and Aborted failures and the memo. */
export const finalStateSchema = z.object({
  status: generationStatusSchema,
  reason: z.string(),
  spentUsd: z.number(),
  limitUsd: z.number(),
  scenesDone: z.array(z.string()),
  clips: z.array(z.object({ sceneId: z.string(), path: z.string() })),
  scenes: z.array(sceneProgressSchema),
});
export type FinalState = z.infer<typeof finalStateSchema>;
