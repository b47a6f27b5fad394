import type { Price } from '../knobs';

/** One input of a model's schema, as a model page's API tab documents it. */
export interface InputField {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'uri' | 'uri[]' | 'string[]';
  required?: boolean;
  default?: unknown;
  enum?: readonly (string | number)[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  description: string;
}

/** What a video model turns its validated input into. */
export interface VideoSpec {
  prompt: string;
  seed: number;
  durationSec: number;
  aspectRatio: '16:9' | '9:16' | '1:1';
  /** Image URIs (emulator file URLs, data: URIs or http(s) URLs). */
  references: string[];
  /** How much of each reference survives in the frames, 0..1. */
  fidelity: number;
  /** The image an image-to-video model animates: the clip's frames start from it. */
  firstFrame?: string;
}

/** What an image model turns its validated input into: one frame of the same scene. */
export type ImageSpec = Omit<VideoSpec, 'durationSec' | 'firstFrame'>;

export interface EmulatedModel {
  /** `owner/name`. */
  id: string;
  /** A fake 64-hex version id, so POST /v1/predictions {version} works. */
  version: string;
  description: string;
  inputs: Record<string, InputField>;
  price: Price;
  /** The price for these inputs, when it depends on them (audio on or off, resolution); else `price`. */
  priceFor?: (input: Record<string, unknown>) => Price;
  /** A rule the model states only in prose that these inputs break: the prediction fails with it, as the model would. */
  problem?: (input: Record<string, unknown>) => string | undefined;
  /** Video models render a clip, image models one picture; the embedding model returns vectors. */
  kind: 'video' | 'image' | 'embedding';
  video?: (input: Record<string, unknown>) => VideoSpec;
  image?: (input: Record<string, unknown>) => ImageSpec;
  /** The output is a list of URLs (`List[Path]` in Cog), not one. */
  outputList?: boolean;
}

/** A deterministic fake version id from the model id. */
export function fakeVersion(id: string): string {
  let out = '';
  let h = 2166136261;
  while (out.length < 64) {
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}

/** The first integer seed given, else one from the prompt (hosted models pick a random one). */
export function seedOf(input: Record<string, unknown>): number {
  return typeof input.seed === 'number' ? input.seed : 0;
}
