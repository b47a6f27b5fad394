import { ApplicationFailure } from '@temporalio/common';
import type { Prediction } from 'replicate';
import {
  scoreConsistencyInputSchema,
  type ScoreConsistencyInput,
  type ScoreConsistencyResult,
} from '../schema/activities';
import type { Catalogue } from '../schema/catalogue';
import { FailureType } from '../schema/failures';
import { scoreConsistency } from '../media/consistency';
import { probeMedia } from '../media/ffmpeg';
import { encodePng, sampleFrames } from '../media/raw-image';
import { parseInput } from './parse-input';
import { predictionCostUsd } from './prediction-cost';
import { runDurablePrediction, type DurablePredictionDeps } from './replicate/durable-prediction';
import { toReplicateFailure } from './replicate/errors';

export interface ScoreConsistencyDeps extends DurablePredictionDeps {
  catalogue: Catalogue;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * One score for a clip: each consistency group counts by its best-matching reference image
 * (a scene shows one view of a character, not all), and the clip by its worst group (every
 * character and product must survive, not just most of them).
 */
function aggregate(perReference: readonly { groupId: string; score: number }[]): number {
  const byGroup = new Map<string, number>();
  for (const r of perReference) byGroup.set(r.groupId, Math.max(byGroup.get(r.groupId) ?? 0, r.score));
  return byGroup.size ? Math.min(...byGroup.values()) : 0;
}

/**
 * Builds the `scoreConsistency` activity: how much of the references survives in a clip, 0..1.
 * `local` measures sampled frames against the reference images on the worker (free);
 * `clip` embeds frames and references with a CLIP features model on Replicate (paid, counted).
 */
export function makeScoreConsistency(deps: ScoreConsistencyDeps) {
  async function scoreWithClip(input: ScoreConsistencyInput): Promise<ScoreConsistencyResult> {
    const model = deps.catalogue.scorers.clip;
    const { durationSec } = await probeMedia(input.clipPath);
    const frames = await sampleFrames(input.clipPath, durationSec, 3, 224, 224);
    const frameUrls: string[] = [];
    for (const [i, frame] of frames.entries()) {
      try {
        const png = await encodePng(frame);
        const file = new File([new Uint8Array(png)], `${input.sceneId}-frame-${i}.png`, { type: 'image/png' });
        frameUrls.push(((await deps.replicate.files.create(file)) as { urls: { get: string } }).urls.get);
      } catch (err) {
        throw toReplicateFailure(err, `scoring scene ${input.sceneId}: uploading a frame`, deps.connection.redact);
      }
    }
    const refUrls = input.references.map((r) => r.url);
    const costOf = (p: Prediction): number => predictionCostUsd(model.pricing, p, 0);
    const prediction = await runDurablePrediction(deps, {
      model: model.id,
      version: model.version,
      input: { inputs: [...frameUrls, ...refUrls].join('\n') },
      exclude: new Set(),
      label: `consistency score of scene ${input.sceneId}`,
      costOf,
    });
    if (prediction.status !== 'succeeded' || !Array.isArray(prediction.output)) {
      throw ApplicationFailure.create({
        type: FailureType.ReplicateUnavailable,
        message: `the CLIP scorer ${model.id} ended ${prediction.status}: ${String(prediction.error ?? 'no output')}`,
      });
    }
    const embeddings = new Map(
      (prediction.output as { input: string; embedding: number[] }[]).map((o) => [o.input, o.embedding])
    );
    const frameVectors = frameUrls.map((u) => embeddings.get(u)).filter((v): v is number[] => Array.isArray(v));
    const perReference = input.references.map((ref) => {
      const vector = embeddings.get(ref.url);
      const best = vector ? Math.max(0, ...frameVectors.map((f) => cosine(f, vector))) : 0;
      return { groupId: ref.groupId, source: ref.source, score: best };
    });
    return { score: aggregate(perReference), perReference, costUsd: costOf(prediction) };
  }

  return async function scoreConsistencyActivity(raw: ScoreConsistencyInput): Promise<ScoreConsistencyResult> {
    const input = parseInput(scoreConsistencyInputSchema, raw, 'scoreConsistency');
    if (input.scorer === 'clip') return scoreWithClip(input);
    const result = await scoreConsistency({
      clipPath: input.clipPath,
      referencePaths: input.references.map((r) => r.localPath),
    });
    const perReference = input.references.map((ref, i) => ({
      groupId: ref.groupId,
      source: ref.source,
      score: result.perReference[i]?.score ?? 0,
    }));
    return { score: aggregate(perReference), perReference, costUsd: 0 };
  };
}
