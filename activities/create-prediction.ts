import { Context, log } from '@temporalio/activity';
import type Replicate from 'replicate';
import type { Prediction } from 'replicate';
import {
  createPredictionInputSchema,
  findPredictionInputSchema,
  type CreatePredictionInput,
  type CreatedPrediction,
  type FindPredictionInput,
} from '../schema/activities';
import { snapshotOf, type PredictionSnapshot } from '../schema/prediction';
import { webhookUrlFor } from '../schema/webhook-target';
import type { Activities } from '../schema/activities';
import { whileHeartbeating } from './heartbeat';
import { parseInput } from './parse-input';
import type { ReplicateConnection } from './replicate/client';
import { asHttpError, toReplicateFailure } from './replicate/errors';
import { findCreatedPrediction } from './replicate/reconcile';
import { replicateSpan } from './replicate/span';

export interface CreatePredictionDeps {
  replicate: Replicate;
  connection: ReplicateConnection;
  /** The public URL of a webhook receiver; unset: predictions are created without a webhook. */
  webhookUrl?: string;
  /** How far before a create's first try to look for its prediction (clock skew with Replicate). */
  reconcileSkewMs: number;
}

/**
 * Builds `createPrediction` and `findPrediction`. A create is sent once per try; any try after
 * the first first looks for the prediction an earlier try may have created (its worker died, or
 * its answer was lost) and returns that one instead of paying for another. Nothing relies on a
 * heartbeat having reached the server.
 */
export function makeCreatePrediction(
  deps: CreatePredictionDeps
): Pick<Activities, 'createPrediction' | 'findPrediction'> {
  const { replicate, connection } = deps;

  function lookFor(input: CreatePredictionInput, since: number): Promise<Prediction | undefined> {
    return replicateSpan('replicate.predictions.find', { 'scenegate.call': input.key }, async (span) => {
      const found = await findCreatedPrediction(replicate, {
        model: input.model,
        input: input.input,
        ...(deps.webhookUrl ? { webhook: webhookUrlFor(deps.webhookUrl, input.workflowId, input.key) } : {}),
        createdAfter: new Date(since - deps.reconcileSkewMs).toISOString(),
        exclude: new Set(input.knownIds),
        blind: (what) => log.warn('looking for a lost create, could not see everything', { key: input.key, what }),
      });
      if (found) span.setAttribute('replicate.prediction_id', found.id);
      return found;
    });
  }

  async function createPrediction(raw: CreatePredictionInput): Promise<CreatedPrediction> {
    const input = parseInput(createPredictionInputSchema, raw, 'createPrediction');
    const ctx = Context.current();
    const webhook = deps.webhookUrl ? webhookUrlFor(deps.webhookUrl, input.workflowId, input.key) : undefined;
    const fail = (err: unknown, doing: string) => toReplicateFailure(err, `${input.key}: ${doing}`, connection.redact);
    return whileHeartbeating(`creating the prediction of ${input.key}`, async () => {
      if (ctx.info.attempt > 1) {
        const found = await lookFor(input, ctx.info.scheduledTimestampMs).catch((err: unknown) => {
          throw fail(err, 'looking for the prediction an earlier try may have created');
        });
        if (found) {
          log.info('an earlier try created the prediction; adopting it', { key: input.key, predictionId: found.id });
          return { prediction: snapshotOf(found), webhook: webhook !== undefined, adopted: true };
        }
      }
      try {
        const prediction = await replicateSpan(
          'replicate.predictions.create',
          { 'scenegate.generation': input.workflowId, 'scenegate.call': input.key, 'replicate.model': input.model },
          async (span) => {
            // the client's predictions.create sends no Cancel-After: the same request, with it
            const response = await replicate.request(
              input.version ? '/predictions' : `/models/${input.model}/predictions`,
              {
                method: 'POST',
                headers: input.cancelAfterSec ? { 'Cancel-After': `${input.cancelAfterSec}s` } : {},
                data: {
                  ...(input.version ? { version: input.version } : {}),
                  input: input.input,
                  ...(webhook ? { webhook, webhook_events_filter: ['completed'] } : {}),
                },
              }
            );
            const created = (await response.json()) as Prediction;
            span.setAttribute('replicate.prediction_id', created.id);
            return created;
          }
        );
        return { prediction: snapshotOf(prediction), webhook: webhook !== undefined, adopted: false };
      } catch (err) {
        if (asHttpError(err)) throw fail(err, 'creating the prediction');
        // no answer: the request may still have reached Replicate, so look before anyone creates again
        const found = await lookFor(input, ctx.info.currentAttemptScheduledTimestampMs).catch(() => undefined);
        if (!found)
          throw fail(err, 'creating the prediction (outcome unknown; the retry looks for it before creating)');
        log.warn('create went unanswered but the prediction exists; adopting it', {
          key: input.key,
          predictionId: found.id,
        });
        return { prediction: snapshotOf(found), webhook: webhook !== undefined, adopted: true };
      }
    });
  }

  async function findPrediction(raw: FindPredictionInput): Promise<PredictionSnapshot | null> {
    const input = parseInput(findPredictionInputSchema, raw, 'findPrediction');
    try {
      const found = await lookFor(input, input.since);
      return found ? snapshotOf(found) : null;
    } catch (err) {
      throw toReplicateFailure(err, `${input.key}: looking for its prediction`, connection.redact);
    }
  }

  return { createPrediction, findPrediction };
}
