import { z } from 'zod';

/**
 * Values of the `GenerationStatus` search attribute and of `progress.status`. The workflow
 * writes all but `terminated` and `timed_out`, which the client reads off a closed run whose
 * workflow code could not record its own end.
 */
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
  'terminated',
  'timed_out',
]);
export type GenerationStatus = z.infer<typeof generationStatusSchema>;

/** Statuses a generation never leaves. */
export const finishedStatuses: readonly GenerationStatus[] = [
  'succeeded',
  'partial',
  'failed',
  'cancelled',
  'terminated',
  'timed_out',
];

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

/**
 * What a generation can be waiting for a person to give: a gate decision, money, an operator's
 * answer, or a decision on a scene that drifted from its references (`consistency.onDrift: await-approval`).
 */
const waitKindSchema = z.enum(['approval', 'budget', 'operator', 'drift', 'storyboard']);
/** One thing a generation waits for, and the scenes held up by it. */
export const waitSchema = z.object({ kind: waitKindSchema, sceneIds: z.array(z.string()) });
export type Wait = z.infer<typeof waitSchema>;

/** One paid attempt at a scene: what it was made with and how it ended. */
export const attemptProgressSchema = z.object({
  /** 1-based. */
  attempt: z.number().int(),
  /** The reference strength and seed this attempt was made with. */
  strength: z.number(),
  seed: z.number().int(),
  /**
   * running: paid for and not finished. succeeded: it made a clip. missed: a gate attempt whose
   * clip scored below the threshold or a person rejected. failed / cancelled: no clip.
   */
  status: z.enum(['running', 'succeeded', 'missed', 'failed', 'cancelled']),
  predictionId: z.string().nullable(),
  /** What it cost, once it ended. */
  costUsd: z.number().nullable(),
  clipPath: z.string().nullable(),
  /** With `pipeline: keyframe`: the keyframe this attempt made first, and the step it is at (or ended at). */
  keyframePath: z.string().optional(),
  keyframePredictionId: z.string().optional(),
  step: z.enum(['keyframe', 'animating']).optional(),
  /** The gate's consistency score of this attempt's clip. */
  score: z.number().nullable(),
  /** Why it failed or missed (the model's error, or a person's reason). */
  note: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
});
export type AttemptProgress = z.infer<typeof attemptProgressSchema>;

export const sceneProgressSchema = z.object({
  id: z.string(),
  /** 1-based position in the plan. */
  index: z.number().int(),
  status: sceneStatusSchema,
  /** Paid attempts (predictions) so far. */
  attempts: z.number().int(),
  costUsd: z.number(),
  /** The reference strength of the attempt whose clip the scene has (or of the latest attempt, or of the next). */
  strength: z.number(),
  /** Consistency score of the latest scored attempt (gate scenes, and scenes the consistency check scores). */
  score: z.number().nullable(),
  clipPath: z.string().nullable(),
  predictionId: z.string().nullable(),
  lastError: z.string().nullable(),
  isGateScene: z.boolean(),
  /** Every attempt, oldest first. */
  history: z.array(attemptProgressSchema),
});
export type SceneProgress = z.infer<typeof sceneProgressSchema>;

/** A scene's status, or for a running `pipeline: keyframe` attempt the paid step it is at (`keyframe`, `animating`). */
export function sceneActivityOf(scene: Pick<SceneProgress, 'status' | 'history'>): string {
  const step = scene.history.at(-1)?.step;
  return scene.status === 'running' && step ? step : scene.status;
}

/** One consistency check of a scene attempt's clip: its score, each group's, and what it led to. */
export const consistencyCheckSchema = z.object({
  sceneId: z.string(),
  attempt: z.number().int(),
  /** The clip's score: its worst group's. */
  score: z.number(),
  /** Each consistency group the scene shows, by its best reference image. */
  byGroup: z.record(z.string(), z.number()),
  /**
   * Where each group was seen, by its best reference (worker-side scorers only): that reference
   * (its plan source), frames looked at, frames it was found in (0: not seen at all, not a low
   * score) and when in the clip it scored lowest.
   */
  frames: z
    .record(
      z.string(),
      z.object({
        source: z.string(),
        framesSampled: z.number().int().optional(),
        framesWithSubject: z.number().int().optional(),
        lowestFrameSec: z.number().optional(),
      })
    )
    .optional(),
  /** What was scored: the attempt's keyframe (`pipeline: keyframe`, before its clip is paid for) or its clip. */
  of: z.enum(['keyframe', 'clip']).optional(),
  /**
   * pass: at or above the threshold. drift: below it; `outcome` says what followed
   * (regenerated, awaiting a person, approved or rejected by one, flagged and kept).
   */
  verdict: z.enum(['pass', 'drift']),
  outcome: z.enum(['kept', 'regenerated', 'awaiting', 'approved', 'rejected', 'flagged']),
});
export type ConsistencyCheck = z.infer<typeof consistencyCheckSchema>;

/** The check after the gate (`plan.consistency`): null when the plan has none. */
export const consistencyProgressSchema = z.object({
  threshold: z.number(),
  onDrift: z.enum(['regenerate', 'await-approval', 'flag']),
  /** The scenes checked, in plan order. */
  sceneIds: z.array(z.string()),
  /** Every check so far, oldest first; gate scenes' scores are in `gate.scores`. */
  checks: z.array(consistencyCheckSchema),
  /** Scenes whose clip in the video scored below the threshold (flagged, or kept by a person). */
  driftedScenes: z.array(z.string()),
});
export type ConsistencyProgress = z.infer<typeof consistencyProgressSchema>;

/** The storyboard (`pipeline: keyframe` with `keyframe.storyboard: approve`): null when the plan has none. */
export const storyboardProgressSchema = z.object({
  /** open: keyframes wait for a person's release before their clips. released: clips are being made. */
  status: z.enum(['open', 'released']),
  /** Scenes whose keyframe is on the storyboard, waiting for the release, in the order they came. */
  sceneIds: z.array(z.string()),
  /** The release's note. */
  note: z.string().optional(),
});
export type StoryboardProgress = z.infer<typeof storyboardProgressSchema>;

/** What the `progress` query returns. */
export const progressSchema = z.object({
  generationId: z.string(),
  status: generationStatusSchema,
  /** What the generation waits for, in a sentence naming the message that unblocks it, or null. */
  waitingFor: z.string().nullable(),
  /** Who it waits for (a person's gate decision, money, an operator) and for which scenes; empty while it works. */
  waitingOn: z.array(waitSchema),
  model: z.string(),
  /** With `pipeline: keyframe`, the image model keyframes are made on (`model` animates them); absent otherwise. */
  keyframeModel: z.string().optional(),
  strategy: z.object({ mode: z.string(), concurrency: z.number() }),
  seed: z.number(),
  scenes: z.array(sceneProgressSchema),
  totals: z.object({
    scenes: z.number(),
    /** Scenes with a clip. */
    done: z.number(),
    /** Scenes that used their attempts (including those waiting for an operator). */
    failed: z.number(),
    skipped: z.number(),
    running: z.number(),
    /** done ÷ scenes, rounded down: 100 only when every scene has its clip. */
    percent: z.number(),
  }),
  budget: z.object({ limitUsd: z.number(), spentUsd: z.number(), reservedUsd: z.number() }),
  gate: z.object({
    status: z.enum(['disabled', 'pending', 'running', 'awaiting_approval', 'passed', 'approved', 'failed']),
    sceneIds: z.array(z.string()),
    scores: z.array(
      z.object({
        sceneId: z.string(),
        attempt: z.number(),
        strength: z.number(),
        score: z.number(),
        /** Groups the scorer found in none of the frames it looked at: their 0 means not seen, not unlike. */
        unseen: z.array(z.string()).optional(),
      })
    ),
    threshold: z.number(),
  }),
  /** The consistency check after the gate; null without a `consistency` section (and from runs begun before it). */
  consistency: consistencyProgressSchema.nullable().default(null),
  storyboard: storyboardProgressSchema.nullable().default(null),
  /** The reference images scenes are conditioned on: the copies in the worker's storage. Empty before preparation. */
  references: z.array(z.object({ groupId: z.string(), kind: z.string(), path: z.string() })).default([]),
  /** The generation's page in the review console, when its worker knows one. */
  consoleUrl: z.string().nullable().default(null),
  startedAt: z.string(),
  updatedAt: z.string(),
  /**
   * When the last scene should be done (ISO 8601), from the pace of the scenes finished so far;
   * null before the first scene is done, while the generation waits for someone, and once it
   * ended. An absolute time, so a reader counts down to it between the workflow's events.
   */
  etaAt: z.string().nullable(),
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
  /** Scenes in the video whose clip scored below the consistency threshold (flagged, or kept by a person). */
  driftedScenes: z.array(z.string()).default([]),
});
export type GenerationResult = z.infer<typeof generationResultSchema>;

/** The state a generation stopped in; carried by its failure's details and the memo `finalState`. */
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
