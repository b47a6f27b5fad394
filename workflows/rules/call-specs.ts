import type { PreparedReference } from '../../schema/activities';
import { estimateCostUsd, type ModelEntry, type Pricing } from '../../schema/catalogue';
import { outputSeconds, toModelInput, typicalRunMs, type SceneModelRequest } from '../../schema/model-input';
import type { Plan, Scene } from '../../schema/plan';

/** What a call sends and how it is priced, from the catalogue. */
export interface CallSpec {
  model: string;
  version?: string;
  input: Record<string, unknown>;
  pricing: Pricing;
  /** The output seconds it is priced on (0 for a score). */
  outputSec: number;
  /** How long such a run usually takes, in milliseconds. */
  typicalMs: number;
}

type ScorerModel = Pick<ModelEntry, 'id' | 'version' | 'pricing' | 'typicalRunSec'>;

/** What a scene attempt's clip costs at most: what is reserved before it starts. */
export function clipEstimateUsd(model: ModelEntry, scene: Scene): number {
  return estimateCostUsd(model.pricing, outputSeconds(model, scene.durationSec));
}

/** What one try at scoring a clip costs at most (0 without a paid scorer). */
export function scoreEstimateUsd(scorer: ScorerModel | null): number {
  return scorer ? estimateCostUsd(scorer.pricing, 0) : 0;
}

/** What a scene attempt's keyframe costs at most: reserved with its clip before the keyframe starts. */
export function keyframeEstimateUsd(model: ModelEntry, scene: Scene): number {
  return estimateCostUsd(model.pricing, outputSeconds(model, scene.durationSec));
}

type AttemptSettings = { strength: number; seed: number; escalation: number };

/** The scene, its groups' references and the attempt's settings, before any model's inputs. */
function sceneRequest(
  plan: Pick<Plan, 'aspectRatio' | 'consistencyGroups'>,
  scene: Scene,
  references: readonly PreparedReference[],
  attempt: AttemptSettings
): SceneModelRequest {
  return {
    prompt: scene.prompt,
    ...(scene.negativePrompt ? { negativePrompt: scene.negativePrompt } : {}),
    references: scene.entities.map((groupId) => {
      const group = plan.consistencyGroups.find((g) => g.id === groupId)!;
      return {
        groupId,
        kind: group.kind,
        ...(group.description ? { description: group.description } : {}),
        urls: references.filter((r) => r.groupId === groupId).map((r) => r.url),
      };
    }),
    strength: attempt.strength,
    seed: attempt.seed,
    escalation: attempt.escalation,
    durationSec: scene.durationSec,
    aspectRatio: plan.aspectRatio,
  };
}

function callSpec(model: ModelEntry, input: Record<string, unknown>, outputSec: number): CallSpec {
  return {
    model: model.id,
    ...(model.version ? { version: model.version } : {}),
    input,
    pricing: model.pricing,
    outputSec,
    typicalMs: typicalRunMs(model, outputSec),
  };
}

/**
 * The clip step of a scene attempt: the scene, its groups' references, the attempt's strength
 * and seed and how far the gate escalated its groups, in the model's inputs. With `firstFrameUrl`
 * (`pipeline: keyframe`), the keyframe goes to the model's first-frame input, and the references
 * only if the model takes them beside it.
 */
export function clipCallSpec(
  model: ModelEntry,
  plan: Pick<Plan, 'aspectRatio' | 'consistencyGroups'>,
  scene: Scene,
  references: readonly PreparedReference[],
  attempt: AttemptSettings,
  firstFrameUrl?: string
): CallSpec {
  const request = sceneRequest(plan, scene, references, attempt);
  const input = toModelInput(model, firstFrameUrl === undefined ? request : { ...request, firstFrameUrl });
  return callSpec(model, input, outputSeconds(model, scene.durationSec));
}

/**
 * The keyframe step of a scene attempt (`pipeline: keyframe`): an image of the scene from an
 * image model, the scene's groups' references as its identity inputs and the attempt's strength
 * as its IP-Adapter scale (on a model without one, a miss changes seed, references and prompt as
 * for a clip). Priced on 0 output seconds: image models bill per run.
 */
export function keyframeCallSpec(
  model: ModelEntry,
  plan: Pick<Plan, 'aspectRatio' | 'consistencyGroups'>,
  scene: Scene,
  references: readonly PreparedReference[],
  attempt: AttemptSettings
): CallSpec {
  return callSpec(model, toModelInput(model, sceneRequest(plan, scene, references, attempt)), 0);
}

/** One try at scoring a clip with CLIP: its sampled frames, then the scene's references, one URL a line. */
export function scoreCallSpec(
  scorer: ScorerModel,
  frameUrls: readonly string[],
  references: readonly PreparedReference[]
): CallSpec {
  return {
    model: scorer.id,
    ...(scorer.version ? { version: scorer.version } : {}),
    input: { inputs: [...frameUrls, ...references.map((r) => r.url)].join('\n') },
    pricing: scorer.pricing,
    outputSec: 0,
    typicalMs: typicalRunMs(scorer, 0),
  };
}
