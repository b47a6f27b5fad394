import clipFeaturesSchema from '../../catalogue/schemas/andreasjansson--clip-features.json' with { type: 'json' };
import gen4ImageSchema from '../../catalogue/schemas/runwayml--gen4-image.json' with { type: 'json' };
import instantIdSchema from '../../catalogue/schemas/zsxkib--instant-id.json' with { type: 'json' };
import klingV25Schema from '../../catalogue/schemas/kwaivgi--kling-v2.5-turbo-pro.json' with { type: 'json' };
import seedanceSchema from '../../catalogue/schemas/bytedance--seedance-2.0.json' with { type: 'json' };
import veoSchema from '../../catalogue/schemas/google--veo-3.1.json' with { type: 'json' };
import klingV16Schema from '../../catalogue/schemas/kwaivgi--kling-v1.6-pro.json' with { type: 'json' };
import klingOmniSchema from '../../catalogue/schemas/kwaivgi--kling-v3-omni-video.json' with { type: 'json' };
import minimaxSchema from '../../catalogue/schemas/minimax--video-01.json' with { type: 'json' };
import type { Price } from '../knobs';
import { fakeVersion, seedOf, type EmulatedModel, type ImageSpec, type InputField, type VideoSpec } from './model';

/** A rule Replicate states in prose, in a form the emulator checks (catalogue/schemas/README.md). */
type RuleCheck =
  | { requireOne: string[] }
  | { exclusive: string[] }
  | { maxItems: { field: string; max: number } }
  | { maxLength: { field: string; max: number } }
  | { when: string; requires: Record<string, unknown> };

interface Property {
  type?: string;
  format?: string;
  items?: { type?: string; format?: string };
  enum?: (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  description?: string;
}

/** A published-schema fixture as catalogue/schemas/ holds it. */
export interface PublishedSchema {
  model: string;
  version: string | null;
  input: { required?: string[]; properties: Record<string, Property> };
  rules: { rule: string; check?: RuleCheck; output?: { durationSec?: number } }[];
  pricing: {
    unit: string;
    usd: number | null;
    table?: { when?: Record<string, unknown>; usd: number; unit: string }[];
  };
  /** scenegate's reading of the page: the model makes an image (keyframes); unset, a video. */
  produces?: 'image';
  /** scenegate's reading of the page: the input that takes the first frame the clip starts from. */
  firstFrame?: string;
  /** The Output schema: a list of URLs (`type: array`) or one. */
  output?: { type?: string };
}

/** How many seconds of video a model makes when its schema does not say (Replicate pages give no default). */
const FALLBACK_CLIP_SEC = 5;
/** How much of the references a hosted model's frames keep: none of them has a strength input to change it. */
const HOSTED_FIDELITY = 0.8;

function fieldOf(name: string, p: Property, required: boolean): InputField {
  const type: InputField['type'] =
    p.type === 'array'
      ? p.items?.format === 'uri'
        ? 'uri[]'
        : 'string[]'
      : p.format === 'uri'
        ? 'uri'
        : p.type === 'integer' || p.type === 'number' || p.type === 'boolean'
          ? p.type
          : 'string';
  return {
    type,
    ...(required ? { required } : {}),
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.enum ? { enum: p.enum } : {}),
    ...(p.minimum !== undefined ? { minimum: p.minimum } : {}),
    ...(p.maximum !== undefined ? { maximum: p.maximum } : {}),
    ...(p.maxItems !== undefined ? { maxItems: p.maxItems } : {}),
    description: p.description ?? name,
  };
}

function priceOf(unit: string, usd: number): Price {
  if (unit === 'per-run') return { perRunUsd: usd };
  if (unit === 'per-predict-second') return { perPredictSecondUsd: usd };
  return { perOutputSecondUsd: usd };
}

const present = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

/** Why an input breaks one of the model's prose rules, as the model would fail on it, or undefined. */
function broken(check: RuleCheck, input: Record<string, unknown>): boolean {
  if ('requireOne' in check) return !check.requireOne.some((f) => present(input[f]));
  if ('exclusive' in check) return check.exclusive.filter((f) => present(input[f])).length > 1;
  if ('maxItems' in check) {
    const value = input[check.maxItems.field];
    return Array.isArray(value) && value.length > check.maxItems.max;
  }
  if ('maxLength' in check) return String(input[check.maxLength.field] ?? '').length > check.maxLength.max;
  return present(input[check.when]) && Object.entries(check.requires).some(([f, v]) => input[f] !== v);
}

/**
 * A video model as Replicate publishes it: inputs from its Input schema, prose rules checked as
 * the model would (a prediction that breaks one fails), the price its fixture gives for the
 * inputs sent. Its frames keep the references it was given (every image input, in schema order)
 * at a fidelity no input changes.
 */
export function publishedModel(schema: PublishedSchema): EmulatedModel {
  const required = new Set(schema.input.required ?? []);
  const inputs = Object.fromEntries(
    Object.entries(schema.input.properties).map(([name, p]) => [name, fieldOf(name, p, required.has(name))])
  );
  const fixedSec = schema.rules.find((r) => r.output?.durationSec)?.output?.durationSec;
  const images = Object.entries(inputs).filter(
    ([name, f]) => (f.type === 'uri' || f.type === 'uri[]') && name !== schema.firstFrame
  );
  const base = priceOf(schema.pricing.unit, schema.pricing.usd ?? 0);
  const image = (input: Record<string, unknown>): ImageSpec => ({
    prompt: String(input.prompt ?? ''),
    seed: seedOf(input),
    aspectRatio: ['16:9', '9:16', '1:1'].includes(String(input.aspect_ratio))
      ? (input.aspect_ratio as VideoSpec['aspectRatio'])
      : '16:9',
    references: images.flatMap(([name]) => {
      const value = input[name];
      return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
    }),
    fidelity: HOSTED_FIDELITY,
  });
  const firstFrame = (input: Record<string, unknown>): string | undefined => {
    const value = schema.firstFrame ? input[schema.firstFrame] : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  const video = (input: Record<string, unknown>): VideoSpec => {
    const first = firstFrame(input);
    return {
      ...image(input),
      durationSec:
        fixedSec ?? (typeof input.duration === 'number' && input.duration > 0 ? input.duration : FALLBACK_CLIP_SEC),
      ...(first !== undefined ? { firstFrame: first } : {}),
    };
  };
  const makesImages = schema.produces === 'image';
  return {
    id: schema.model,
    version: schema.version ?? fakeVersion(schema.model),
    description: `${schema.model} as Replicate publishes it (catalogue/schemas)`,
    kind: makesImages ? 'image' : 'video',
    ...(makesImages ? { image, video: undefined } : { video }),
    ...(schema.output?.type === 'array' ? { outputList: true } : {}),
    inputs,
    price: base,
    priceFor: (input) => {
      const row = schema.pricing.table?.find((r) => r.when && Object.entries(r.when).every(([f, v]) => input[f] === v));
      return row ? priceOf(row.unit, row.usd) : base;
    },
    problem: (input) => schema.rules.find((r) => r.check && broken(r.check, input))?.rule,
  };
}

/** andreasjansson/clip-features from its fixture: an embedding per input line. */
export const clipFeatures: EmulatedModel = {
  ...publishedModel(clipFeaturesSchema as PublishedSchema),
  description: 'CLIP ViT-L/14 features (emulated: colour-thumbnail vectors for images, hashed vectors for text).',
  kind: 'embedding',
  video: undefined,
};

/** The hosted video models Replicate publishes, each built from its fixture alone. */
export const publishedVideoModels: readonly EmulatedModel[] = [
  seedanceSchema,
  veoSchema,
  klingOmniSchema,
  minimaxSchema,
  klingV16Schema,
  klingV25Schema,
].map((schema) => publishedModel(schema as PublishedSchema));

/** The hosted image models keyframes come from, each built from its fixture alone. */
export const publishedImageModels: readonly EmulatedModel[] = [instantIdSchema, gen4ImageSchema].map((schema) =>
  publishedModel(schema as PublishedSchema)
);
