import { log } from '@temporalio/activity';
import {
  cancelPredictionInputSchema,
  type CancelPredictionInput,
  type CancelPredictionResult,
} from '../schema/activities';
import type { Catalogue } from '../schema/catalogue';
import { findModel } from './catalogue';
import { parseInput } from './parse-input';
import { outputSeconds } from './model-input';
import { predictionCostUsd } from './prediction-cost';
import type { ReplicateConnection } from './replicate/client';
import { toReplicateFailure } from './replicate/errors';
import { cancelAndConfirm } from './replicate/predictions';
import type Replicate from 'replicate';

/**
 * Builds the `cancelPrediction` activity: the workflow's clean-up for a prediction whose
 * activity failed for good (it must not run on, unwatched and billed). Cancelling a finished
 * prediction changes nothing, so this is safe to repeat.
 */
export function makeCancelPrediction(deps: {
  replicate: Replicate;
  connection: ReplicateConnection;
  catalogue: Catalogue;
}) {
  return async function cancelPrediction(raw: CancelPredictionInput): Promise<CancelPredictionResult> {
    const input = parseInput(cancelPredictionInputSchema, raw, 'cancelPrediction');
    const entry = findModel(deps.catalogue, input.model);
    try {
      const final = await cancelAndConfirm(deps.replicate, input.predictionId);
      log.info('clean-up cancel', { predictionId: input.predictionId, status: final?.status });
      return {
        status: final?.status ?? 'unknown',
        costUsd: final ? predictionCostUsd(entry.pricing, final, outputSeconds(entry, input.durationSec)) : 0,
      };
    } catch (err) {
      throw toReplicateFailure(err, `cancelling prediction ${input.predictionId}`, deps.connection.redact);
    }
  };
}
