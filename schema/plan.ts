import { z } from 'zod';
import { usdAmount } from './money';
import { strictObject } from './strict';

/**
 * How large a plan may be. A run's whole history must stay under Temporal's 50 MB (the server
 * ends a run there, with no final state) and each payload under its 2 MB. Every attempt records
 * its model input (up to 9 reference URLs and two prompts) and about 5 KB of events (measured),
 * about 27 KB at these maxima, so 600 attempts come to about 16 MB; the plan itself is about
 * 1 MB at every maximum, and the references scoring and assembly carry a few MB more. What is
 * left is room for the attempts operators add with `retryScene`. Long reference URLs were what
 * filled histories: a local file is sent as a short upload URL.
 */
export const planLimits = {
  /** Characters of a reference path or URL (a presigned URL fits; a data URL does not). */
  referenceLength: 2048,
  referencesPerGroup: 4,
  groups: 20,
  scenes: 200,
  /** Characters of a prompt or negative prompt. */
  promptLength: 2000,
  /** Scenes × `retry.maxAttemptsPerScene`: the attempts whose inputs one history can hold. */
  sceneAttempts: 600,
} as const;

const atMost = (limit: number, unit: string) => ({ error: `must be at most ${limit} ${unit}` });

/** Identifiers that end up in workflow ids, file names and prompts to operators. */
const slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, {
  error: 'must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit',
});

/** A generation id, which is also its workflow id and the first part of its storage keys. */
export const generationIdSchema = slug;

const prompt = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(planLimits.promptLength, atMost(planLimits.promptLength, 'characters'));
const negativePrompt = z.string().max(planLimits.promptLength, atMost(planLimits.promptLength, 'characters'));

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const MAX_DURATION_MS = 365 * 86_400_000;

/** Milliseconds of a duration setting (a number of milliseconds, or a number with a unit). */
export function durationMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = DURATION_PATTERN.exec(value);
  return match ? Number(match[1]) * (durationUnits[match[2]!] ?? 0) : Number.NaN;
}

/**
 * A Temporal duration: milliseconds, or a number with a unit such as `90s`, `15m`, `24h`, `2d`.
 * Zero is refused: Temporal rejects a zero timeout when the activity is scheduled, long after the plan was accepted.
 */
const durationSchema = z
  .union([z.number(), z.string()], { error: 'must be a duration such as "90s", "15m" or "24h"' })
  .superRefine((value, ctx) => {
    const ms = durationMs(value);
    const problem = !Number.isFinite(ms)
      ? 'must be a duration such as "90s", "15m" or "24h"'
      : ms < 1
        ? 'must be longer than 0'
        : ms > MAX_DURATION_MS
          ? 'must be at most 365d'
          : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const strength = z.number().min(0, { error: 'must be between 0 and 1' }).max(1, { error: 'must be between 0 and 1' });

export const aspectRatioSchema = z.enum(['16:9', '9:16', '1:1']);

/** What a consistency group is: models read a character's, a product's or a style's references differently. */
export const groupKindSchema = z.enum(['character', 'product', 'style']);
export type GroupKind = z.infer<typeof groupKindSchema>;

/** A character, product or style whose reference images every scene it appears in is conditioned on. */
const consistencyGroupSchema = strictObject({
  id: slug,
  kind: groupKindSchema,
  /** Local paths (under an allowed root folder) or https URLs; 1 to 4 images. */
  referenceImages: z
    .array(
      z
        .string()
        .min(1, { error: 'must not be empty' })
        .max(planLimits.referenceLength, atMost(planLimits.referenceLength, 'characters'))
    )
    .min(1, { error: 'needs at least one reference image' })
    .max(planLimits.referencesPerGroup, {
      error: `takes at most ${planLimits.referencesPerGroup} reference images`,
    }),
  /** How strongly scenes follow the references (IP-Adapter scale), 0..1. */
  strength: strength.default(0.6),
  description: z.string().max(500, atMost(500, 'characters')).optional(),
});

/** What an operator or a scene may change about a scene's generation. */
export const sceneOverridesSchema = strictObject({
  prompt: prompt.optional(),
  negativePrompt: negativePrompt.optional(),
  /** Replaces the reference strength of every group in this scene. */
  strength: strength.optional(),
  seed: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 31 - 1)
    .optional(),
});
export type SceneOverrides = z.infer<typeof sceneOverridesSchema>;

export const sceneSchema = strictObject({
  id: slug,
  prompt,
  negativePrompt: negativePrompt.optional(),
  durationSec: z
    .number()
    .int()
    .min(1, { error: 'must be 1 to 10 seconds' })
    .max(10, { error: 'must be 1 to 10 seconds' })
    .default(5),
  /** Ids of the consistency groups that appear in this scene. */
  entities: z
    .array(slug)
    .max(planLimits.groups, { error: `names at most ${planLimits.groups} consistency groups` })
    .default([]),
  overrides: sceneOverridesSchema.optional(),
});
export type Scene = z.infer<typeof sceneSchema>;

const strategySchema = strictObject({
  /**
   * sequential: one scene at a time. batched: groups of `concurrency`, each group after the
   * previous one ends. pool: `concurrency` in flight, the next one starting as soon as any
   * ends. parallel: every released scene at once.
   */
  mode: z.enum(['sequential', 'batched', 'pool', 'parallel']).default('pool'),
  concurrency: z.number().int().min(1).max(64).default(3),
});

/** The gate's scorers (see `gate.scorer`). */
export const gateScorerSchema = z.enum(['vision', 'local', 'clip', 'manual']);
export type GateScorer = z.infer<typeof gateScorerSchema>;

const gateSchema = strictObject({
  enabled: z.boolean().default(true),
  /**
   * vision: faces (characters) and local features (products, styles) compared on the worker,
   * offline, free (docs/scorers.md). local: the references' own pixels searched for in the frames
   * (free; only the emulator's clips carry them, as it pastes them). clip: CLIP features on
   * Replicate (paid). manual: a person decides. Unset: vision.
   */
  scorer: gateScorerSchema.optional(),
  /** Lowest passing consistency score, 0..1. */
  threshold: z.number().min(0).max(1).default(0.6),
  /** Attempts at each gate scene before `onFail` applies. */
  maxAttempts: z.number().int().min(1).max(10).default(3),
  /** Added to the reference strength of the scene's groups after each failed attempt. */
  strengthStep: z.number().min(0).max(1).default(0.15),
  /** Also try a new seed after a failed attempt (the new seed then applies to every scene). */
  reseedOnFail: z.boolean().default(false),
  onFail: z.enum(['fail', 'await-approval']).default('await-approval'),
  approvalTimeout: durationSchema.default('24h'),
});

/**
 * The consistency check after the gate: each chosen scene's clip is scored, with the gate's
 * scorer, once it is collected, and a scene that drifted from its references is made again,
 * waits for a person, or is flagged. Opt-in (no section, no check): see docs/operators.md
 * "Every scene checked".
 */
const consistencySchema = strictObject({
  /** The scenes checked: `all` (every scene that names a consistency group), or a list of scene ids. */
  scenes: z
    .union([z.literal('all'), z.array(slug).min(1, { error: 'must name at least one scene, or be "all"' })], {
      error: 'must be "all" or a list of scene ids',
    })
    .default('all'),
  /** Lowest score that is not a drift, 0..1. Unset: `gate.threshold`. */
  threshold: z.number().min(0).max(1).optional(),
  /**
   * regenerate: made again with the gate's escalation, up to `gate.maxAttempts` checked attempts,
   * then flagged. await-approval: a person keeps the clip (approveScene) or has it made again
   * (rejectScene), within `gate.approvalTimeout`. flag: kept and named in the result.
   */
  onDrift: z.enum(['regenerate', 'await-approval', 'flag']).default('regenerate'),
});

const budgetSchema = strictObject({
  /** US dollars, at most MAX_BUDGET_USD. */
  limitUsd: usdAmount().nonnegative({ error: 'must be 0 or more' }).default(10),
  onExceeded: z.enum(['pause', 'fail']).default('pause'),
  /** How long the generation waits for more money with no raise before it fails as BudgetExceeded. */
  waitTimeout: durationSchema.default('24h'),
});

/** How a scene attempt is made: one prediction (direct), or a keyframe image then its animation (keyframe). */
export const pipelineSchema = z.enum(['direct', 'keyframe']);
export type Pipeline = z.infer<typeof pipelineSchema>;

const planObjectSchema = strictObject({
  /** Also the workflow id, so one id can never run twice at once. Defaults to the workflow id. */
  generationId: slug.optional(),
  /** A model id from the catalogue (catalogue/models.json). Unset: the catalogue's default for the emulator or hosted Replicate. */
  model: z.string().min(1).max(200, atMost(200, 'characters')).optional(),
  /**
   * direct: each scene attempt is one prediction on `model`, a reference-to-video model.
   * keyframe: each attempt is two, a keyframe image from `keyframe.model` (the references as
   * identity inputs, `strength` as its IP-Adapter scale where it has one), then the clip from
   * `model`, an image-to-video model, with that keyframe as its first frame (docs/models.md
   * "Keyframes first").
   */
  pipeline: pipelineSchema.default('direct'),
  /** With `pipeline: keyframe`: the image model keyframes come from. Unset: the catalogue's default for where the worker runs and the groups the scenes show. */
  keyframe: strictObject({
    model: z.string().min(1).max(200, atMost(200, 'characters')).optional(),
    /**
     * approve: every keyframe that passed its check waits on a storyboard until a person releases
     * the animation (`scenegate release`), having single keyframes made again first if need be
     * (`redo-keyframe`). auto: each keyframe goes on to its clip at once.
     */
    storyboard: z.enum(['approve', 'auto']).default('auto'),
  }).optional(),
  /** One seed for every scene, so scenes share a look. */
  seed: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 31 - 1)
    .optional(),
  aspectRatio: aspectRatioSchema.default('16:9'),
  consistencyGroups: z
    .array(consistencyGroupSchema)
    .min(1, { error: 'needs at least one consistency group' })
    .max(planLimits.groups, { error: `takes at most ${planLimits.groups} consistency groups` }),
  scenes: z
    .array(sceneSchema)
    .min(1, { error: 'needs at least one scene' })
    .max(planLimits.scenes, { error: `takes at most ${planLimits.scenes} scenes` }),
  strategy: strategySchema.prefault({}),
  gate: gateSchema.prefault({}),
  consistency: consistencySchema.optional(),
  budget: budgetSchema.prefault({}),
  onSceneFailure: z.enum(['fail-fast', 'continue', 'await-ops']).default('fail-fast'),
  retry: strictObject({ maxAttemptsPerScene: z.number().int().min(1).max(10).default(3) }).prefault({}),
  timeouts: strictObject({
    /** Longest one attempt's prediction may run before it is cancelled and the attempt counted failed (hosted runs end at 30 min). */
    sceneAttempt: durationSchema.default('45m'),
    /**
     * How often the workflow reads a prediction whose webhook has not come, once it has run its
     * model's typical time (without a webhook receiver, the only way it learns the end).
     */
    predictionCheck: durationSchema.default('30s'),
    /** A worker silent this long in a long activity (preparation, download, assembly) is presumed dead; another takes over. */
    heartbeat: durationSchema.default('10s'),
  }).prefault({}),
});

/** Deterministic default seed from the generation id, so a plan without a seed still re-renders alike. */
function seedFromId(id: string): number {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619) >>> 0;
  return hash % 2 ** 31;
}

/**
 * The generation plan: scenes plus the reference images of the characters and products that must
 * look the same in every scene. Everything but the scenes and the groups has a default. The
 * client, the CLI and the workflow all parse plans with this schema, so they refuse the same ones.
 */
export const planSchema = planObjectSchema
  .superRefine((plan, ctx) => {
    const groups = new Set<string>();
    plan.consistencyGroups.forEach((group, i) => {
      if (groups.has(group.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['consistencyGroups', i, 'id'],
          message: `duplicate group id "${group.id}"`,
        });
      }
      groups.add(group.id);
    });
    const scenes = new Set<string>();
    plan.scenes.forEach((scene, i) => {
      if (scenes.has(scene.id)) {
        ctx.addIssue({ code: 'custom', path: ['scenes', i, 'id'], message: `duplicate scene id "${scene.id}"` });
      }
      scenes.add(scene.id);
      scene.entities.forEach((entity, j) => {
        if (!groups.has(entity)) {
          ctx.addIssue({
            code: 'custom',
            path: ['scenes', i, 'entities', j],
            message: `unknown consistency group "${entity}" (known: ${[...groups].join(', ')})`,
          });
        }
      });
    });
    const attempts = plan.scenes.length * plan.retry.maxAttemptsPerScene;
    if (attempts > planLimits.sceneAttempts) {
      ctx.addIssue({
        code: 'custom',
        path: ['retry', 'maxAttemptsPerScene'],
        message: `${plan.scenes.length} scenes × ${plan.retry.maxAttemptsPerScene} attempts is ${attempts}; one run's history holds at most ${planLimits.sceneAttempts} attempts (Temporal ends a run at 50 MB): use fewer scenes or attempts`,
      });
    }
    // the gate scores scene 1 against its references: without any, nothing can be scored (or paid for)
    if (plan.gate.enabled && plan.scenes[0] && plan.scenes[0].entities.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['scenes', 0, 'entities'],
        message:
          'the gate checks scene 1 against its references, so it must name a consistency group (or set gate.enabled to false)',
      });
    }
    const consistency = plan.consistency;
    if (consistency && Array.isArray(consistency.scenes)) {
      consistency.scenes.forEach((id, i) => {
        if (!scenes.has(id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['consistency', 'scenes', i],
            message: `unknown scene "${id}" (scenes: ${[...scenes].slice(0, 10).join(', ')})`,
          });
        }
      });
    }
    if (plan.keyframe && plan.pipeline !== 'keyframe') {
      ctx.addIssue({
        code: 'custom',
        path: ['keyframe'],
        message: 'applies only with pipeline "keyframe": set pipeline to "keyframe", or leave keyframe out',
      });
    }
    // a person judges manual gate scenes; nothing could score the other scenes' clips
    if (consistency && plan.gate.scorer === 'manual') {
      ctx.addIssue({
        code: 'custom',
        path: ['consistency'],
        message:
          'checks every scene with the gate\'s scorer, and gate.scorer "manual" scores nothing: use "local" or "clip", or leave consistency out',
      });
    }
  })
  .transform((plan) => ({ ...plan, seed: plan.seed ?? seedFromId(plan.generationId ?? plan.scenes[0]!.id) }));

/** A plan as written by a user: optional fields may be left out. */
export type PlanInput = z.input<typeof planSchema>;
/** A validated plan with every default filled in. */
export type Plan = z.output<typeof planSchema>;
export type Strategy = Plan['strategy'];

/**
 * Whether a plan carries the `$schema` key an editor reads to complete and check it
 * (`"$schema": "../../schema/plan.schema.json"`). It names the file the plan was written
 * against and is no part of the plan.
 */
export function hasEditorSchema(input: unknown): input is Record<string, unknown> & { $schema: unknown } {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && '$schema' in input;
}

/** The plan without its `$schema` key (see hasEditorSchema); any other value as it is. */
export function withoutEditorSchema<T>(input: T): T {
  if (!hasEditorSchema(input)) return input;
  const { $schema: _editorSchema, ...plan } = input;
  return plan as T;
}
