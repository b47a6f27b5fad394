import { z } from 'zod';
import type { ModelEntry } from './catalogue';

/** One input as a model's published `Input` schema describes it (enums inlined). */
export const publishedPropertySchema = z.looseObject({
  type: z.string().optional(),
  format: z.string().optional(),
  items: z.looseObject({ type: z.string().optional(), format: z.string().optional() }).optional(),
  enum: z.array(z.union([z.string(), z.number()])).optional(),
  default: z.unknown().optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  maxItems: z.number().optional(),
  description: z.string().optional(),
});
export type PublishedProperty = z.infer<typeof publishedPropertySchema>;

/** A model's `Input` schema: its properties and which are required. */
export const publishedInputSchema = z.object({
  required: z.array(z.string()).default([]),
  properties: z.record(z.string(), publishedPropertySchema),
});
export type PublishedInput = z.infer<typeof publishedInputSchema>;

/**
 * A model's input schema as Replicate published it, transcribed into catalogue/schemas/ with
 * where and when it was read, the rules its pages state only in prose, and its price's source.
 */
export const publishedSchemaFileSchema = z.looseObject({
  model: z.string(),
  version: z.string().nullable(),
  source: z.string(),
  read: z.string(),
  input: publishedInputSchema,
  rules: z.array(z.looseObject({ rule: z.string() })).default([]),
  unverified: z.array(z.string()).default([]),
});
export type PublishedSchemaFile = z.infer<typeof publishedSchemaFileSchema>;

/** One difference found, for the table `scenegate models check` prints. */
export interface SchemaFinding {
  model: string;
  field: string;
  /** What scenegate relies on (the catalogue's mapping), or what the recorded fixture says. */
  expected: string;
  /** What the schema read says. */
  found: string;
  /** `catalogue`: a field scenegate sends is missing or refuses what it sends; `fixture`: the recording drifted. */
  kind: 'catalogue' | 'fixture';
}

type Json = Record<string, unknown>;

/**
 * The `Input` schema out of a version's `openapi_schema`, in the fixtures' form: Replicate writes
 * an enum as `allOf: [{ $ref: '#/components/schemas/<name>' }]`, which is resolved and inlined.
 */
export function inputFromOpenApi(openapi: unknown): PublishedInput {
  const schemas = ((openapi as Json | undefined)?.components as Json | undefined)?.schemas as Json | undefined;
  const input = schemas?.Input as Json | undefined;
  if (!input) throw new Error('the schema has no components.schemas.Input');
  const properties = Object.fromEntries(
    Object.entries((input.properties ?? {}) as Record<string, Json>).map(([name, raw]) => {
      const ref = ((raw.allOf as Json[] | undefined)?.[0]?.$ref ?? raw.$ref) as string | undefined;
      const target = ref ? (schemas?.[ref.split('/').at(-1)!] as Json | undefined) : undefined;
      const merged: Json = { ...target, ...raw };
      delete merged.allOf;
      delete merged.$ref;
      return [name, publishedPropertySchema.parse(merged)];
    })
  );
  return { required: (input.required as string[] | undefined) ?? [], properties };
}

const typeOf = (p: PublishedProperty | undefined): string =>
  !p
    ? 'absent'
    : p.type === 'array'
      ? `array of ${p.items?.format ?? p.items?.type ?? '?'}`
      : (p.format ?? p.type ?? '?');

/** True when `value` is a value the property allows. */
function allows(p: PublishedProperty, value: unknown): boolean {
  if (p.enum && !p.enum.includes(value as string | number)) return false;
  if (typeof value === 'number') {
    if (p.minimum !== undefined && value < p.minimum) return false;
    if (p.maximum !== undefined && value > p.maximum) return false;
    if (p.type === 'integer' && !Number.isInteger(value)) return false;
    return p.type === 'integer' || p.type === 'number';
  }
  if (typeof value === 'boolean') return p.type === 'boolean';
  return typeof value === 'string' && (p.type === 'string' || p.type === undefined);
}

/**
 * What the catalogue sends a model that this schema does not take: a mapped input missing, an
 * image input of the wrong shape, a value (a constant, a duration, an aspect ratio) it refuses,
 * or a required input scenegate never sends.
 */
export function catalogueFindings(entry: ModelEntry, input: PublishedInput): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  const { inputs } = entry;
  const props = input.properties;
  const finding = (field: string, expected: string, found: string): void => {
    findings.push({ model: entry.id, field, expected, found, kind: 'catalogue' });
  };
  const present = (field: string | undefined, expected: string): void => {
    if (field && !props[field]) finding(field, expected, 'absent');
  };
  present(inputs.prompt, 'string (the prompt)');
  present(inputs.negativePrompt, 'string (the negative prompt)');
  present(inputs.seed, 'integer (the seed)');
  const refs = inputs.referenceImages;
  if (refs) {
    const wanted = refs.shape === 'array' ? 'array of uri' : 'uri';
    if (typeOf(props[refs.field]) !== wanted) finding(refs.field, wanted, typeOf(props[refs.field]));
  }
  const first = inputs.firstFrame?.field;
  if (first && typeOf(props[first]) !== 'uri') finding(first, 'uri (the first frame)', typeOf(props[first]));
  if (inputs.referenceStrength) {
    const { field, min, max } = inputs.referenceStrength;
    const p = props[field];
    if (!p || !allows(p, min) || !allows(p, max)) finding(field, `number ${min}..${max}`, typeOf(p));
  }
  const values: [string | undefined, readonly unknown[]][] = [
    [inputs.duration?.field, inputs.duration?.allowed ?? []],
    [inputs.aspectRatio?.field, inputs.aspectRatio?.allowed ?? []],
    ...Object.entries(inputs.constants).map(([field, value]): [string, unknown[]] => [field, [value]]),
  ];
  for (const [field, sent] of values) {
    if (!field) continue;
    const p = props[field];
    const refused = sent.filter((v) => !p || !allows(p, v));
    if (refused.length > 0) finding(field, refused.map(String).join(', '), p?.enum ? p.enum.join(', ') : typeOf(p));
  }
  const sends = new Set(
    [inputs.prompt, inputs.negativePrompt, inputs.seed, refs?.field, first, inputs.referenceStrength?.field]
      .concat([inputs.duration?.field, inputs.aspectRatio?.field], Object.keys(inputs.constants))
      .filter((f): f is string => f !== undefined)
  );
  for (const field of input.required) if (!sends.has(field)) finding(field, 'not sent', 'required');
  return findings;
}

const shape = (p: PublishedProperty | undefined): string =>
  p === undefined
    ? 'absent'
    : [
        typeOf(p),
        p.enum ? `enum ${p.enum.join('|')}` : '',
        p.minimum !== undefined || p.maximum !== undefined ? `${p.minimum ?? ''}..${p.maximum ?? ''}` : '',
      ]
        .filter(Boolean)
        .join(' ');

/** How the schema read differs from the one recorded in the fixture: an input added, gone, retyped, re-ranged, newly required. */
export function fixtureFindings(model: string, recorded: PublishedInput, live: PublishedInput): SchemaFinding[] {
  const names = [...new Set([...Object.keys(recorded.properties), ...Object.keys(live.properties)])].sort();
  const findings: SchemaFinding[] = [];
  for (const field of names) {
    const before = shape(recorded.properties[field]);
    const after = shape(live.properties[field]);
    if (before !== after) findings.push({ model, field, expected: before, found: after, kind: 'fixture' });
    const wasRequired = recorded.required.includes(field);
    if (wasRequired !== live.required.includes(field)) {
      const [expected, found] = wasRequired ? ['required', 'optional'] : ['optional', 'required'];
      findings.push({ model, field, expected, found, kind: 'fixture' });
    }
  }
  return findings;
}
