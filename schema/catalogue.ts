import { z } from 'zod';
import { aspectRatioSchema, groupKindSchema } from './plan';

/**
 * Where a price comes from: Replicate's own material, a third party's (a hint, not proof), or
 * nowhere found. The budget is only as right as the price; docs/models.md lists each.
 */
const provenance = {
  evidence: z.enum(['replicate', 'third-party', 'none']).optional(),
  /** The page or file the price was read from, and when. */
  source: z.string().optional(),
};

/** How Replicate bills a model. Prices are per model page; the API does not return them. */
export const pricingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('per-output-second'), usd: z.number().nonnegative(), ...provenance }),
  z.object({ kind: z.literal('per-run'), usd: z.number().nonnegative(), ...provenance }),
  z.object({
    kind: z.literal('per-predict-second'),
    /** Hardware price per second of predict_time. */
    usd: z.number().nonnegative(),
    /** Used for the budget reservation before a run: a generous predict_time per output second. */
    estimatePredictSecPerOutputSec: z.number().nonnegative(),
    /** And a generous predict_time whatever the output (a scorer makes none). */
    estimatePredictSecBase: z.number().nonnegative().optional(),
    ...provenance,
  }),
]);
export type Pricing = z.infer<typeof pricingSchema>;

/**
 * How long a prediction of the model usually runs, for deciding when to look at one whose
 * webhook has not come: `base` seconds plus `perOutputSecond` per second of video.
 */
const typicalRunSchema = z.object({
  base: z.number().nonnegative(),
  perOutputSecond: z.number().nonnegative().default(0),
});

const fieldName = z.string().regex(/^[a-z_][a-z0-9_]*$/, { error: 'must be a model input field name' });

/** What a model makes: a clip (scene attempts, keyframes animated), or an image (keyframes). */
export const modelOutputSchema = z.enum(['video', 'image']);
export type ModelOutput = z.infer<typeof modelOutputSchema>;

/**
 * One model and how scenegate's scene request maps onto its inputs. Adding a model that
 * takes reference images is a new entry in catalogue/models.json, not new code.
 */
export const modelEntrySchema = z.object({
  /** `owner/name` on Replicate. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/, { error: 'must be owner/name' }),
  /** A version id; when set, predictions go to POST /v1/predictions with it instead of the model route. */
  version: z.string().optional(),
  description: z.string().optional(),
  pricing: pricingSchema,
  typicalRunSec: typicalRunSchema.default({ base: 60, perOutputSecond: 10 }),
  /** What it makes; unset (entries recorded before keyframes): video. An image model's output seconds are 0. */
  output: modelOutputSchema.default('video'),
  /** The clip length the model really produces: the requested one, or a fixed one. */
  outputDuration: z.union([z.literal('requested'), z.object({ fixedSec: z.number().positive() })]).default('requested'),
  inputs: z.object({
    prompt: fieldName,
    negativePrompt: fieldName.optional(),
    /** Unset: the model takes no reference images (an image-to-video model that only animates a first frame). */
    referenceImages: z
      .object({
        field: fieldName,
        /** array: a list of URLs; single: one URL. */
        shape: z.enum(['array', 'single']),
        /** At least this many references per scene (the model's own minimum). */
        min: z.number().int().nonnegative().default(0),
        max: z.number().int().positive(),
        /** The consistency group kinds the model reads from this input (a portrait-only input: character). */
        accepts: z.array(groupKindSchema).min(1).default(['character', 'product', 'style']),
        /**
         * How the prompt names the nth image (from 1), for models that address references by tag:
         * `[Image{n}]`, `<<<image_{n}>>>`. scenegate then says in the prompt which image shows whom.
         */
        promptTag: z.string().includes('{n}').optional(),
        /** What the model takes of a reference image: its file types, its shorter side, its width ÷ height. */
        limits: z
          .object({
            types: z
              .array(z.enum(['png', 'jpeg', 'webp', 'gif']))
              .min(1)
              .optional(),
            minSidePx: z.number().int().positive().optional(),
            aspect: z.object({ min: z.number().positive(), max: z.number().positive() }).optional(),
          })
          .default({}),
      })
      .optional(),
    /**
     * An image-to-video model's first-frame input (`start_image`, `image`): with `pipeline: keyframe`
     * the scene's keyframe goes there. `withReferences`: the model also takes the references beside
     * it (most refuse both at once, so by default a keyframe's clip gets the keyframe alone).
     */
    firstFrame: z.object({ field: fieldName, withReferences: z.boolean().default(false) }).optional(),
    /** Where the reference strength goes, scaled linearly from 0..1 onto [min, max]. */
    referenceStrength: z.object({ field: fieldName, min: z.number(), max: z.number() }).optional(),
    seed: fieldName.optional(),
    duration: z
      .object({
        field: fieldName,
        /** The requested length snaps to the nearest of these. */
        allowed: z.array(z.number().positive()).min(1),
      })
      .optional(),
    /** The aspect ratios the model makes; `field` unset: it has no such input and makes only these. */
    aspectRatio: z.object({ field: fieldName.optional(), allowed: z.array(aspectRatioSchema).min(1) }).optional(),
    /** Fixed inputs sent with every request (e.g. generate_audio: false). */
    constants: z.record(z.string(), z.unknown()).default({}),
  }),
});
export type ModelEntry = z.infer<typeof modelEntrySchema>;

/** A model the gate calls to score a clip. */
export const scorerEntrySchema = z.object({
  id: z.string(),
  version: z.string().optional(),
  pricing: pricingSchema,
  typicalRunSec: typicalRunSchema.default({ base: 10, perOutputSecond: 0 }),
});

const whereSchema = <T extends z.ZodType>(of: T) => z.object({ emulator: of, hosted: of });

export const catalogueSchema = z
  .object({
    models: z.array(modelEntrySchema).min(1),
    /** The model a plan without one gets: on the emulator, and on hosted Replicate. */
    defaults: z.object({
      emulator: z.string(),
      hosted: z.string(),
      /**
       * `pipeline: keyframe` without `keyframe.model` or `model`: `image` lists the keyframe models
       * in order of preference, the first that can carry every scene is taken (an IP-Adapter face
       * model for characters alone, a multi-reference model when products or styles show); `video`
       * is the image-to-video model that animates the keyframes.
       */
      keyframe: z.object({ image: whereSchema(z.array(z.string()).min(1)), video: whereSchema(z.string()) }).optional(),
    }),
    scorers: z.object({
      /** The CLIP features model the `clip` gate scorer calls. */
      clip: scorerEntrySchema,
    }),
  })
  .superRefine((catalogue, ctx) => {
    const check = (id: string, path: (string | number)[], wanted: (m: ModelEntry) => string | undefined): void => {
      const model = catalogue.models.find((m) => m.id === id);
      const problem = model ? wanted(model) : `is not one of the catalogue's models`;
      if (problem) ctx.addIssue({ code: 'custom', path: ['defaults', ...path], message: problem });
    };
    const keyframe = catalogue.defaults.keyframe;
    for (const where of ['emulator', 'hosted'] as const) {
      check(catalogue.defaults[where], [where], (m) => (m.inputs.referenceImages ? undefined : 'takes no references'));
      if (!keyframe) continue;
      keyframe.image[where].forEach((id, i) =>
        check(id, ['keyframe', 'image', where, i], (m) => (m.output === 'image' ? undefined : 'is not an image model'))
      );
      check(keyframe.video[where], ['keyframe', 'video', where], (m) =>
        m.inputs.firstFrame ? undefined : 'takes no first frame'
      );
    }
  });
export type Catalogue = z.infer<typeof catalogueSchema>;

/** Upper bound of what one attempt may cost, reserved in the budget before it starts. */
export function estimateCostUsd(pricing: Pricing, outputSec: number): number {
  switch (pricing.kind) {
    case 'per-output-second':
      return pricing.usd * outputSec;
    case 'per-run':
      return pricing.usd;
    case 'per-predict-second':
      return pricing.usd * ((pricing.estimatePredictSecBase ?? 0) + pricing.estimatePredictSecPerOutputSec * outputSec);
  }
}
