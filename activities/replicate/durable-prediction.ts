import { Context, log } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type Replicate from 'replicate';
import type { Prediction } from 'replicate';
import type { ReplicateConnection } from './client';
import { asHttpError, isTransient, toReplicateFailure } from './errors';
import { cancelAndConfirm, TERMINAL_STATUSES } from './predictions';
import { findCreatedPrediction } from './reconcile';

/** What an activity records in its heartbeat, so a retry resumes instead of paying again. */
export interface PredictionCheckpoint {
  /** The prediction this activity created. */
  predictionId?: string;
  /** Set just before a create is sent: if no id follows, the create's outcome is unknown. */
  createStartedAt?: string;
  status?: string;
}

export interface DurablePredictionDeps {
  replicate: Replicate;
  connection: ReplicateConnection;
  polling: { initialMs: number; maxMs: number };
  /** Clock skew allowed between this worker and Replicate when reconciling a lost create. */
  reconcileSkewMs: number;
}

export interface DurablePredictionRequest {
  model: string;
  version?: string;
  input: Record<string, unknown>;
  /** Predictions known to belong to other attempts, never to be adopted when reconciling. */
  exclude: ReadonlySet<string>;
  /** For messages: what this prediction is for, e.g. `scene s2 attempt 1`. */
  label: string;
  /** What a prediction stopped by cancellation cost, reported in the cancellation's details. */
  costOf: (prediction: Prediction) => number;
}

/**
 * Runs one Replicate prediction inside an activity so that it is paid for once:
 * - the create is sent once; the prediction id is heartbeated at once;
 * - a retried activity resumes the recorded prediction, and when a create went unanswered it
 *   looks for the prediction among recent ones with the same model and input before creating;
 * - it polls with backoff, honouring Retry-After, heartbeating each poll;
 * - when the activity is cancelled (or its workflow is gone) it cancels the prediction and
 *   waits for Replicate to confirm; on worker shutdown or timeout it leaves it running for the retry.
 *
 * Returns the prediction in a terminal state (succeeded, failed, canceled or aborted).
 * @throws CancelledFailure with `{predictionId, status, costUsd}` details when cancelled.
 */
export async function runDurablePrediction(
  deps: DurablePredictionDeps,
  request: DurablePredictionRequest
): Promise<Prediction> {
  const ctx = Context.current();
  let prediction = await createOrResume(deps, request);
  try {
    return await pollUntilDone(deps, prediction, request.label, (p) => (prediction = p));
  } catch (err) {
    if (!(err instanceof CancelledFailure)) throw err;
    const details = ctx.cancellationDetails;
    // shutdown, timeout, pause: the prediction stays alive and the next attempt resumes it
    if (!details?.cancelRequested && !details?.notFound) throw err;
    const final = await cancelAndConfirm(deps.replicate, prediction.id, {
      onPoll: (p) => ctx.heartbeat({ predictionId: p.id, status: p.status } satisfies PredictionCheckpoint),
    });
    log.info('cancelled the prediction', { predictionId: prediction.id, status: final?.status });
    throw new CancelledFailure(
      `${request.label} cancelled; prediction ${prediction.id} is ${final?.status ?? 'unconfirmed'}`,
      // unconfirmed: no cost, so the workflow books the attempt's full estimate rather than nothing
      [
        {
          predictionId: prediction.id,
          status: final?.status ?? 'unknown',
          ...(final ? { costUsd: request.costOf(final) } : {}),
        },
      ]
    );
  }
}

async function createOrResume(deps: DurablePredictionDeps, request: DurablePredictionRequest): Promise<Prediction> {
  const { replicate, connection } = deps;
  const ctx = Context.current();
  const checkpoint = (ctx.info.heartbeatDetails ?? {}) as PredictionCheckpoint;
  const fail = (err: unknown, doing: string) =>
    toReplicateFailure(err, `${request.label}: ${doing}`, connection.redact);

  if (checkpoint.predictionId) {
    ctx.heartbeat(checkpoint);
    log.info('resuming the prediction an earlier attempt created', { predictionId: checkpoint.predictionId });
    try {
      return await replicate.predictions.get(checkpoint.predictionId);
    } catch (err) {
      throw fail(err, `reading prediction ${checkpoint.predictionId}`);
    }
  }
  const reconcile = (since: string): Promise<Prediction | undefined> =>
    findCreatedPrediction(replicate, {
      model: request.model,
      input: request.input,
      createdAfter: new Date(Date.parse(since) - deps.reconcileSkewMs).toISOString(),
      exclude: request.exclude,
    });
  if (checkpoint.createStartedAt) {
    let found: Prediction | undefined;
    try {
      found = await reconcile(checkpoint.createStartedAt);
    } catch (err) {
      throw fail(err, 'looking for a prediction whose create went unanswered');
    }
    if (found) {
      log.info('found the prediction of an unanswered create; not creating another', { predictionId: found.id });
      ctx.heartbeat({ predictionId: found.id } satisfies PredictionCheckpoint);
      return found;
    }
  }

  const createStartedAt = new Date().toISOString();
  ctx.heartbeat({ createStartedAt } satisfies PredictionCheckpoint);
  let prediction: Prediction;
  try {
    prediction = await replicate.predictions.create({
      ...(request.version ? { version: request.version } : { model: request.model }),
      input: request.input,
      signal: ctx.cancellationSignal,
    });
  } catch (err) {
    if (asHttpError(err)) throw fail(err, 'creating the prediction');
    // no answer: the request may still have reached Replicate, so look before anyone creates again
    const found = await reconcile(createStartedAt).catch(() => undefined);
    if (ctx.cancellationSignal.aborted) {
      // cancelled mid-create: a prediction the request did create is cancelled as well
      if (found) await cancelAndConfirm(replicate, found.id);
      throw new CancelledFailure(`${request.label} cancelled while creating its prediction`);
    }
    if (!found) throw fail(err, 'creating the prediction (outcome unknown; the retry looks for it before creating)');
    log.warn('create went unanswered but the prediction exists; continuing with it', { predictionId: found.id });
    prediction = found;
  }
  ctx.heartbeat({ predictionId: prediction.id, status: prediction.status } satisfies PredictionCheckpoint);
  return prediction;
}

async function pollUntilDone(
  deps: DurablePredictionDeps,
  start: Prediction,
  label: string,
  onUpdate: (p: Prediction) => void
): Promise<Prediction> {
  const ctx = Context.current();
  let prediction = start;
  let delay = deps.polling.initialMs;
  while (!TERMINAL_STATUSES.has(prediction.status)) {
    await ctx.sleep(delay);
    delay = Math.min(Math.round(delay * 1.5), deps.polling.maxMs);
    try {
      prediction = await deps.replicate.predictions.get(prediction.id);
      onUpdate(prediction);
    } catch (err) {
      if (!isTransient(err)) {
        throw toReplicateFailure(err, `${label}: polling prediction ${prediction.id}`, deps.connection.redact, [
          { predictionId: prediction.id },
        ]);
      }
      const retryAfterSec = asHttpError(err)?.retryAfterSec;
      if (retryAfterSec) delay = Math.max(delay, retryAfterSec * 1000);
    }
    ctx.heartbeat({ predictionId: prediction.id, status: prediction.status } satisfies PredictionCheckpoint);
  }
  return prediction;
}
