import type { Catalogue, ModelEntry } from './catalogue';
import type { GroupKind, Pipeline } from './plan';

/** What the model check reads of a plan. */
export interface PlanForModel {
  model?: string;
  /** Unset: direct. */
  pipeline?: Pipeline;
  keyframe?: { model?: string };
  aspectRatio?: string;
  scenes: readonly { entities: readonly string[]; durationSec?: number }[];
  /** A group without a kind (a run prepared before kinds were sent) is taken as any model reads it. */
  consistencyGroups: readonly { id: string; kind?: GroupKind; referenceImages: readonly string[] }[];
}

const images = (n: number): string => `${n} reference image${n === 1 ? '' : 's'}`;
const either = (values: readonly (string | number)[]): string =>
  values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values.at(-1)}` : String(values[0]);

/** A scene's groups the model cannot carry: kinds it does not read, more groups than it has slots, too few images. */
function sceneProblems(model: ModelEntry, plan: PlanForModel): string[] {
  const refs = model.inputs.referenceImages;
  if (!refs) return [];
  const slots = refs.shape === 'single' ? 1 : refs.max;
  const groups = new Map(plan.consistencyGroups.map((g) => [g.id, g]));
  return plan.scenes.flatMap((scene, i) => {
    const shown = scene.entities.flatMap((id) => groups.get(id) ?? []);
    const field = `scenes[${i}].entities`;
    const unread = shown.filter((g) => g.kind !== undefined && !refs.accepts.includes(g.kind));
    if (unread.length > 0) {
      const what = unread.map((g) => `"${g.id}" is a ${g.kind}`).join(', ');
      return [
        `${field}: ${model.id} reads only ${either(refs.accepts)} references (${refs.field}); ${what}, so it would not reach the model`,
      ];
    }
    const taken = shown.filter((g) => !unread.includes(g));
    if (taken.length > slots) {
      return [
        `${field}: ${model.id} takes ${images(slots)} (${refs.field}) and this scene shows ${taken.length} groups; every group needs one, so split the scene or choose a model with more`,
      ];
    }
    const count = taken.reduce((n, g) => n + g.referenceImages.length, 0);
    if (count < refs.min) {
      return [`${field}: ${model.id} needs at least ${images(refs.min)} in every scene; name a consistency group`];
    }
    return [];
  });
}

/** An aspect ratio the model does not make. */
function aspectProblems(model: ModelEntry, plan: PlanForModel): string[] {
  const aspect = model.inputs.aspectRatio;
  if (!aspect || !plan.aspectRatio || (aspect.allowed as readonly string[]).includes(plan.aspectRatio)) return [];
  const how = aspect.field ? ` (${aspect.field})` : ', and has no input to change it';
  return [`aspectRatio: ${model.id} makes ${either(aspect.allowed)} only${how}; "${plan.aspectRatio}" is not one`];
}

/** Aspect ratios and clip lengths the model does not make. */
function shapeProblems(model: ModelEntry, plan: PlanForModel): string[] {
  const problems = aspectProblems(model, plan);
  const lengths =
    model.outputDuration !== 'requested' ? [model.outputDuration.fixedSec] : model.inputs.duration?.allowed;
  if (!lengths) return problems;
  plan.scenes.forEach((scene, i) => {
    if (scene.durationSec === undefined || lengths.includes(scene.durationSec)) return;
    const range = lengths.length > 4 ? `${Math.min(...lengths)} to ${Math.max(...lengths)} s` : `${either(lengths)} s`;
    problems.push(`scenes[${i}].durationSec: ${model.id} makes clips of ${range}; ${scene.durationSec} is not one`);
  });
  return problems;
}

/**
 * What the plan asks of its model that the catalogue says the model cannot carry, as
 * `field: problem` lines: an unknown model; a scene whose groups the model cannot all read
 * (a kind it does not take, more groups than reference slots, too few images); an aspect ratio
 * or a clip length it does not make. The client runs it before starting; the workflow's
 * preparation runs it again with the model it resolved (the `temporal` CLI and the Web UI start
 * plans no client checked) before anything is paid.
 */
export function modelProblems(plan: PlanForModel, catalogue: Catalogue): string[] {
  if (plan.pipeline === 'keyframe') return keyframeProblems(plan, catalogue);
  // a plan without a model gets the catalogue's default where the worker runs; the worker checks it then
  if (plan.model === undefined) return [];
  const model = catalogue.models.find((m) => m.id === plan.model);
  if (!model) return [unknown('model', plan.model, catalogue)];
  if (model.output !== 'video' || !model.inputs.referenceImages) {
    const what = model.output === 'image' ? 'makes images' : 'takes no reference images (it animates a first frame)';
    return [
      `model: ${model.id} ${what}; use pipeline "keyframe" with it, or a reference-to-video model (${idsOf(catalogue, (m) => m.output === 'video' && !!m.inputs.referenceImages)})`,
    ];
  }
  return [...sceneProblems(model, plan), ...shapeProblems(model, plan)];
}

const idsOf = (catalogue: Catalogue, which: (m: ModelEntry) => boolean): string =>
  catalogue.models
    .filter(which)
    .map((m) => m.id)
    .join(', ');

const unknown = (field: string, id: string, catalogue: Catalogue): string =>
  `${field}: unknown model "${id}" (the catalogue has ${catalogue.models.map((m) => m.id).join(', ')})`;

/** Whether the model animates a given first frame: what `model` must be with `pipeline: keyframe`. */
export const animatesFirstFrame = (m: ModelEntry): boolean => m.output === 'video' && m.inputs.firstFrame !== undefined;

/**
 * With `pipeline: keyframe`: `model` must animate a first frame and make what the scenes ask
 * (lengths, aspect ratio); `keyframe.model` must be an image model that carries every scene's
 * groups. Either unset is the worker's to resolve (`keyframeModels`) and check.
 */
function keyframeProblems(plan: PlanForModel, catalogue: Catalogue): string[] {
  const problems: string[] = [];
  if (plan.model !== undefined) {
    const video = catalogue.models.find((m) => m.id === plan.model);
    if (!video) problems.push(unknown('model', plan.model, catalogue));
    else if (!animatesFirstFrame(video)) {
      problems.push(
        `model: ${video.id} does not animate a first frame; with pipeline "keyframe" it must be an image-to-video model (${idsOf(catalogue, animatesFirstFrame)})`
      );
    } else {
      problems.push(...shapeProblems(video, plan));
      if (video.inputs.firstFrame?.withReferences) problems.push(...sceneProblems(video, plan));
    }
  }
  const id = plan.keyframe?.model;
  if (id !== undefined) {
    const image = catalogue.models.find((m) => m.id === id);
    if (!image) problems.push(unknown('keyframe.model', id, catalogue));
    else if (image.output !== 'image' || !image.inputs.referenceImages) {
      problems.push(
        `keyframe.model: ${image.id} is not an image model that takes references; keyframes come from one of ${idsOf(catalogue, (m) => m.output === 'image' && !!m.inputs.referenceImages)}`
      );
    } else problems.push(...sceneProblems(image, plan), ...aspectProblems(image, plan));
  }
  return problems;
}

/**
 * The models of a `pipeline: keyframe` plan, where the worker runs: its own `model` and
 * `keyframe.model`, else the catalogue's defaults; of the default keyframe models, the first
 * that carries every scene (a face model for characters alone, a multi-reference model when a
 * product shows), else the first, whose problems the check then names.
 */
export function keyframeModels(
  plan: PlanForModel,
  catalogue: Catalogue,
  where: 'emulator' | 'hosted'
): { model: string; keyframeModel: string } | undefined {
  const defaults = catalogue.defaults.keyframe;
  const model = plan.model ?? defaults?.video[where];
  const candidates = plan.keyframe?.model !== undefined ? [plan.keyframe.model] : (defaults?.image[where] ?? []);
  const fits = candidates.find((id) => {
    const entry = catalogue.models.find((m) => m.id === id);
    return entry !== undefined && sceneProblems(entry, plan).length === 0 && aspectProblems(entry, plan).length === 0;
  });
  const keyframeModel = fits ?? candidates[0];
  return model !== undefined && keyframeModel !== undefined ? { model, keyframeModel } : undefined;
}

/** An image as the worker read it: its type and size. */
export interface ReferenceImageFacts {
  type: 'png' | 'jpeg' | 'webp' | 'gif';
  width: number;
  height: number;
}

/**
 * Why the model would refuse this reference image (its file type, its shorter side, its width ÷
 * height), as one sentence naming the model's limit; undefined when it takes it.
 */
export function referenceLimitProblem(model: ModelEntry, image: ReferenceImageFacts): string | undefined {
  const limits = model.inputs.referenceImages?.limits;
  if (!limits) return undefined;
  const { types, minSidePx, aspect } = limits;
  const ratio = image.width / image.height;
  const fits =
    (!types || types.includes(image.type)) &&
    (!minSidePx || Math.min(image.width, image.height) >= minSidePx) &&
    (!aspect || (ratio >= aspect.min && ratio <= aspect.max));
  if (fits) return undefined;
  const wants = [
    types ? either(types.map((t) => t.toUpperCase())) : 'images',
    minSidePx ? `at least ${minSidePx} px on each side` : '',
    aspect ? `between ${aspect.min}:1 and ${aspect.max}:1 wide` : '',
  ].filter(Boolean);
  return `${model.id} takes ${wants.join(', ')}; this is a ${image.width}x${image.height} ${image.type.toUpperCase()}`;
}
