import type { Catalogue, ModelEntry } from './catalogue';
import type { GroupKind } from './plan';

/** What the model check reads of a plan. */
export interface PlanForModel {
  model?: string;
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

/** Aspect ratios and clip lengths the model does not make. */
function shapeProblems(model: ModelEntry, plan: PlanForModel): string[] {
  const problems: string[] = [];
  const aspect = model.inputs.aspectRatio;
  if (aspect && plan.aspectRatio && !(aspect.allowed as readonly string[]).includes(plan.aspectRatio)) {
    const how = aspect.field ? ` (${aspect.field})` : ', and has no input to change it';
    problems.push(
      `aspectRatio: ${model.id} makes ${either(aspect.allowed)} only${how}; "${plan.aspectRatio}" is not one`
    );
  }
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
  // a plan without a model gets the catalogue's default where the worker runs; the worker checks it then
  if (plan.model === undefined) return [];
  const model = catalogue.models.find((m) => m.id === plan.model);
  if (!model) {
    return [`model: unknown model "${plan.model}" (the catalogue has ${catalogue.models.map((m) => m.id).join(', ')})`];
  }
  return [...sceneProblems(model, plan), ...shapeProblems(model, plan)];
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
  const { types, minSidePx, aspect } = model.inputs.referenceImages.limits;
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
