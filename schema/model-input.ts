import type { ModelEntry } from './catalogue';

/** What a scene attempt asks of a model, before it is mapped onto the model's own inputs. */
export interface SceneModelRequest {
  prompt: string;
  negativePrompt?: string;
  /** Reference image URLs per consistency group, in plan order. */
  references: readonly { groupId: string; urls: readonly string[] }[];
  strength: number;
  seed: number;
  durationSec: number;
  aspectRatio: string;
}

function nearest(allowed: readonly number[], wanted: number): number {
  return allowed.reduce((best, v) => (Math.abs(v - wanted) < Math.abs(best - wanted) ? v : best), allowed[0]!);
}

/** The clip length a model will produce for a requested length. */
export function outputSeconds(entry: ModelEntry, requestedSec: number): number {
  if (entry.outputDuration !== 'requested') return entry.outputDuration.fixedSec;
  return entry.inputs.duration ? nearest(entry.inputs.duration.allowed, requestedSec) : requestedSec;
}

/** How long a run of the model usually takes for a clip of `outputSec`, in milliseconds. */
export function typicalRunMs(entry: Pick<ModelEntry, 'typicalRunSec'>, outputSec: number): number {
  return (entry.typicalRunSec.base + entry.typicalRunSec.perOutputSecond * outputSec) * 1000;
}

/**
 * Maps scenegate's model-independent scene request onto one model's inputs, as its catalogue
 * entry describes. References of every entity in the scene are flattened in plan order and cut
 * to what the model takes. Pure, so the workflow computes it and the exact input is in history.
 */
export function toModelInput(entry: ModelEntry, request: SceneModelRequest): Record<string, unknown> {
  const { inputs } = entry;
  const input: Record<string, unknown> = { ...inputs.constants, [inputs.prompt]: request.prompt };
  if (inputs.negativePrompt && request.negativePrompt) input[inputs.negativePrompt] = request.negativePrompt;

  const urls = request.references.flatMap((r) => r.urls).slice(0, inputs.referenceImages.max);
  if (urls.length > 0) input[inputs.referenceImages.field] = inputs.referenceImages.shape === 'single' ? urls[0] : urls;

  if (inputs.referenceStrength) {
    const { field, min, max } = inputs.referenceStrength;
    input[field] = Math.round((min + (max - min) * request.strength) * 1000) / 1000;
  }
  if (inputs.seed) input[inputs.seed] = request.seed;
  if (inputs.duration) input[inputs.duration.field] = outputSeconds(entry, request.durationSec);
  if (inputs.aspectRatio && inputs.aspectRatio.allowed.includes(request.aspectRatio)) {
    input[inputs.aspectRatio.field] = request.aspectRatio;
  }
  return input;
}
