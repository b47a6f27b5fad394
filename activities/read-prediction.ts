import { log } from '@temporalio/activity';
import type Replicate from 'replicate';
import { predictionRefSchema, type PredictionRef } from '../schema/activities';
import { snapshotOf, type PredictionSnapshot } from '../schema/prediction';
import type { Activities } from '../schema/activities';
import { parseInput } from './parse-input';
import type { ReplicateConnection } from './replicate/client';
import { toReplicateFailure } from './replicate/errors';
import { cancelAndConfirm } from './replicate/predictions';
import { replicateSpan } from './replicate/span';

/** Builds `getPrediction` (a read, when no webhook came) and `cancelPrediction` (from the workflow, when it stops). */
export function makeReadPrediction(deps: {
  replicate: Replicate;
  connection: ReplicateConnection;
}): Pick<Activities, 'getPrediction' | 'cancelPrediction'> {
  async function getPrediction(raw: PredictionRef): Promise<PredictionSnapshot> {
    const { predictionId } = parseInput(predictionRefSchema, raw, 'getPrediction');
    try {
      return snapshotOf(
        await replicateSpan('replicate.predictions.get', { 'replicate.prediction_id': predictionId }, () =>
          deps.replicate.predictions.get(predictionId)
        )
      );
    } catch (err) {
      throw toReplicateFailure(err, `reading prediction ${predictionId}`, deps.connection.redact);
    }
  }

  /**
   * Cancels a prediction and returns it as Replicate confirms it (with what ran, so its cost is
   * known), or as last seen if unconfirmed after a minute. Cancelling a finished prediction
   * changes nothing, so a retry is safe.
   */
  async function cancelPrediction(raw: PredictionRef): Promise<PredictionSnapshot> {
    const { predictionId } = parseInput(predictionRefSchema, raw, 'cancelPrediction');
    try {
      const final = await replicateSpan(
        'replicate.predictions.cancel',
        { 'replicate.prediction_id': predictionId },
        () => cancelAndConfirm(deps.replicate, predictionId)
      );
      log.info('cancelled the prediction', { predictionId, status: final?.status });
      return snapshotOf(final ?? (await deps.replicate.predictions.get(predictionId)));
    } catch (err) {
      throw toReplicateFailure(err, `cancelling prediction ${predictionId}`, deps.connection.redact);
    }
  }

  return { getPrediction, cancelPrediction };
}
