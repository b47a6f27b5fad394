import type { ModelEntry } from './catalogue';
import type { GroupKind } from './plan';

/** One consistency group a scene shows, with its reference image URLs in plan order. */
export interface SceneGroup {
  groupId: string;
  kind: GroupKind;
  /** What the plan says it looks like; named in the prompt when a miss asks for emphasis. */
  description?: string;
  urls: readonly string[];
}

/** What a scene attempt asks of a model, before it is mapped onto the model's own inputs. */
export interface SceneModelRequest {
  prompt: string;
  negativePrompt?: string;
  /** The groups the scene shows, in the scene's order. */
  references: readonly SceneGroup[];
  strength: number;
  seed: number;
  durationSec: number;
  aspectRatio: string;
  /**
   * How many gate misses the scene's groups have had (0 before any). On a model with a
   * reference-strength input the strength already says it; on any other model a miss must
   * change what is sent some other way: a new seed, another choice or order of references, and
   * the groups named in the prompt.
   */
  escalation: number;
  /**
   * The keyframe an image-to-video model animates (`pipeline: keyframe`): sent as the model's
   * first frame, and then the references only if the model takes both at once.
   */
  firstFrameUrl?: string;
}

function nearest(allowed: readonly number[], wanted: number): number {
  return allowed.reduce((best, v) => (Math.abs(v - wanted) < Math.abs(best - wanted) ? v : best), allowed[0]!);
}

/** The clip length a model will produce for a requested length (0 for an image model). */
export function outputSeconds(entry: ModelEntry, requestedSec: number): number {
  if (entry.output === 'image') return 0;
  if (entry.outputDuration !== 'requested') return entry.outputDuration.fixedSec;
  return entry.inputs.duration ? nearest(entry.inputs.duration.allowed, requestedSec) : requestedSec;
}

/** How long a run of the model usually takes for a clip of `outputSec`, in milliseconds. */
export function typicalRunMs(entry: Pick<ModelEntry, 'typicalRunSec'>, outputSec: number): number {
  return (entry.typicalRunSec.base + entry.typicalRunSec.perOutputSecond * outputSec) * 1000;
}

/** The groups of a scene the model reads references of (a portrait-only input takes characters alone). */
export function acceptedGroups<G extends { kind: GroupKind }>(entry: ModelEntry, groups: readonly G[]): G[] {
  const accepts = entry.inputs.referenceImages?.accepts ?? [];
  return groups.filter((g) => accepts.includes(g.kind));
}

/**
 * The reference images a scene sends, grouped by group in the scene's order: every group the
 * model accepts gets one slot, then the rest go round by turn, so a character with four images
 * never pushes the product out. `turn` rotates each group's images: after a miss, a group with
 * more images than slots sends others, and one with fewer sends them in another order.
 */
export function allocateReferences(
  entry: ModelEntry,
  groups: readonly SceneGroup[],
  turn: number
): { group: SceneGroup; urls: string[] }[] {
  const refs = entry.inputs.referenceImages;
  if (!refs) return [];
  const slots = refs.shape === 'single' ? 1 : refs.max;
  const taking = acceptedGroups(entry, groups).filter((g) => g.urls.length > 0);
  const rotated = taking.map((g) => {
    const shift = turn % g.urls.length;
    return [...g.urls.slice(shift), ...g.urls.slice(0, shift)];
  });
  const picked = taking.map(() => 0);
  let free = slots;
  for (let round = 0; free > 0; round++) {
    const before = free;
    rotated.forEach((urls, i) => {
      if (free > 0 && round < urls.length) {
        picked[i]!++;
        free--;
      }
    });
    if (free === before) break;
  }
  return taking.map((group, i) => ({ group, urls: rotated[i]!.slice(0, picked[i]) })).filter((g) => g.urls.length > 0);
}

const nameOf = (g: SceneGroup): string => g.description ?? g.groupId;

/** `[Image1] and [Image2] show mara; [Image3] shows lumen.`: which tagged image is whom. */
function tagSentence(tag: string, allocated: readonly { group: SceneGroup; urls: string[] }[]): string {
  let n = 0;
  const parts = allocated.map(({ group, urls }) => {
    const tags = urls.map(() => tag.replace('{n}', String(++n)));
    const list = tags.length > 1 ? `${tags.slice(0, -1).join(', ')} and ${tags.at(-1)}` : tags[0];
    return `${list} ${tags.length > 1 ? 'show' : 'shows'} ${nameOf(group)}`;
  });
  return `Reference images: ${parts.join('; ')}.`;
}

/**
 * Maps scenegate's model-independent scene request onto one model's inputs, as its catalogue
 * entry describes. Pure, so the workflow computes it and the exact input is in history.
 */
export function toModelInput(entry: ModelEntry, request: SceneModelRequest): Record<string, unknown> {
  const { inputs } = entry;
  // a model without a strength input escalates by what it does take
  const escalate = inputs.referenceStrength ? 0 : request.escalation;
  const firstFrame = inputs.firstFrame && request.firstFrameUrl !== undefined ? inputs.firstFrame : undefined;
  // a keyframe already carries the identity: most image-to-video models refuse references beside it
  const sendsReferences = !firstFrame || firstFrame.withReferences;
  const allocated = sendsReferences ? allocateReferences(entry, request.references, escalate) : [];
  const refs = inputs.referenceImages;
  const prompt = [request.prompt];
  if (refs?.promptTag && allocated.length > 0) {
    prompt.push(tagSentence(refs.promptTag, allocated));
  }
  if (escalate > 0 && allocated.length > 0) {
    prompt.push(`Keep ${allocated.map((a) => nameOf(a.group)).join(' and ')} exactly as in the reference images.`);
  }
  const input: Record<string, unknown> = { ...inputs.constants, [inputs.prompt]: prompt.join(' ') };
  if (inputs.negativePrompt && request.negativePrompt) input[inputs.negativePrompt] = request.negativePrompt;

  const urls = allocated.flatMap((a) => a.urls);
  if (refs && urls.length > 0) input[refs.field] = refs.shape === 'single' ? urls[0] : urls;
  if (firstFrame) input[firstFrame.field] = request.firstFrameUrl;

  if (inputs.referenceStrength) {
    const { field, min, max } = inputs.referenceStrength;
    input[field] = Math.round((min + (max - min) * request.strength) * 1000) / 1000;
  }
  if (inputs.seed) input[inputs.seed] = (request.seed + escalate) % 2 ** 31;
  if (inputs.duration) input[inputs.duration.field] = outputSeconds(entry, request.durationSec);
  const aspect = inputs.aspectRatio;
  if (aspect?.field && (aspect.allowed as readonly string[]).includes(request.aspectRatio)) {
    input[aspect.field] = request.aspectRatio;
  }
  return input;
}
