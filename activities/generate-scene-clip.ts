import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { sceneClipRequestSchema, type SceneClipRequest, type SceneClipResult } from '../schema/activities';
import type { Catalogue } from '../schema/catalogue';
import { FailureType } from '../schema/failures';
import { MediaToolError, probeMedia } from '../media/ffmpeg';
import { findModel } from './catalogue';
import { parseInput } from './parse-input';
import { downloadOutput, OutputGoneError } from './download';
import { outputSeconds, toModelInput } from './model-input';
import { predictionCostUsd } from './prediction-cost';
import { runDurablePrediction, type DurablePredictionDeps } from './replicate/durable-prediction';
import { toReplicateFailure } from './replicate/errors';
import type { LocalStorage } from './storage';

export interface SceneClipDeps extends DurablePredictionDeps {
  storage: LocalStorage;
  catalogue: Catalogue;
}

/** Builds the `generateSceneClip` activity: one scene attempt, one paid prediction, its clip in storage. */
export function makeGenerateSceneClip(deps: SceneClipDeps) {
  return async function generateSceneClip(raw: SceneClipRequest): Promise<SceneClipResult> {
    const request = parseInput(sceneClipRequestSchema, raw, 'generateSceneClip');
    const ctx = Context.current();
    const entry = findModel(deps.catalogue, request.model);
    const outSec = outputSeconds(entry, request.durationSec);
    const label = `scene ${request.sceneId} attempt ${request.attempt}`;
    const costOf = (p: Parameters<typeof predictionCostUsd>[1]): number => predictionCostUsd(entry.pricing, p, outSec);

    const prediction = await runDurablePrediction(deps, {
      model: entry.id,
      version: entry.version,
      input: toModelInput(entry, request),
      exclude: new Set(request.excludePredictionIds),
      label,
      costOf,
    });
    const costUsd = costOf(prediction);
    // a failed run is a failed activity (red in the Web UI), carrying what it cost so the workflow books it
    const failed = (message: string): ApplicationFailure =>
      ApplicationFailure.create({
        type: FailureType.PredictionFailed,
        nonRetryable: true,
        message: deps.connection.redact(message),
        details: [{ predictionId: prediction.id, costUsd }],
      });
    if (prediction.status !== 'succeeded') {
      throw failed(
        `${label}: prediction ${prediction.id} ${prediction.status}: ${String(prediction.error ?? 'no error given')}`
      );
    }

    const url: unknown = Array.isArray(prediction.output) ? prediction.output[0] : prediction.output;
    const file = deps.storage.pathFor(request.generationId, 'clips', `${request.sceneId}-a${request.attempt}.mp4`);
    try {
      if (typeof url !== 'string') {
        throw new OutputGoneError(
          `prediction ${prediction.id} has no output URL (data_removed: ${prediction.data_removed})`
        );
      }
      const sizeBytes = await downloadOutput(url, file, deps.storage, () =>
        ctx.heartbeat({ predictionId: prediction.id, status: 'downloading' })
      );
      const { durationSec } = await probeMedia(file);
      return {
        predictionId: prediction.id,
        costUsd,
        outcome: 'succeeded',
        error: null,
        clip: { path: file, durationSec, sizeBytes },
      };
    } catch (err) {
      // the run was paid but its output is lost or unplayable: the workflow decides whether to try again
      if (err instanceof OutputGoneError || err instanceof MediaToolError) {
        throw failed(`${label}: ${(err as Error).message}`);
      }
      throw toReplicateFailure(err, `${label}: downloading the output`, deps.connection.redact, [
        { predictionId: prediction.id },
      ]);
    }
  };
}
