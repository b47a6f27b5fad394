import { CancellationScope, condition, isCancellation, log, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../schema/plan';
import type { PredictionSnapshot } from '../schema/prediction';
import type { GenerationActivities } from './activity-options';
import { isPermanent, messageOf } from './failure-details';
import type { Generation } from './generation';
import type { PaidCall } from './paid-calls';

/** How a paid call ended: its prediction's final state, or no prediction at all. */
export type CallOutcome =
  | { kind: 'final'; prediction: PredictionSnapshot }
  | { kind: 'timed-out'; prediction: PredictionSnapshot | null }
  | { kind: 'not-created'; failure: unknown };

/**
 * Runs one paid prediction from its create to its end, then books what it cost. The workflow
 * owns it throughout: the create is its own short activity whose result puts the prediction's
 * id in history; the wait holds no worker, ending on the webhook's signal or, failing that, on
 * reads at the model's typical run time and every `timeouts.predictionCheck` after.
 *
 * When the scene is cancelled (a cancel, an abort, a budget halt, fail-fast) the prediction is
 * cancelled at once from here, its cost is booked from what Replicate answers, and the
 * cancellation is rethrown.
 */
export async function runPaidCall(gen: Generation, acts: GenerationActivities, call: PaidCall): Promise<CallOutcome> {
  const failure = await create(gen, acts, call);
  if (failure !== null) {
    gen.bookCall(call.key);
    return { kind: 'not-created', failure };
  }
  try {
    return await awaitEnd(gen, acts, call);
  } catch (err) {
    if (isCancellation(err)) await CancellationScope.nonCancellable(() => cancel(gen, acts, call.key));
    throw err;
  } finally {
    gen.bookCall(call.key);
  }
}

/**
 * Creates the prediction and records it. A create is never cut off halfway (it would leave a
 * prediction nobody records); one that gave up without a clear answer is looked for before
 * anything else is created for the scene. Returns null once the prediction exists, or the
 * failure when none was created.
 */
async function create(gen: Generation, acts: GenerationActivities, call: PaidCall): Promise<unknown> {
  const request = {
    key: call.key,
    workflowId: workflowInfo().workflowId,
    model: call.model,
    ...(call.version ? { version: call.version } : {}),
    input: call.input,
    knownIds: gen.calls.knownIds(),
  };
  const since = Date.now();
  try {
    const created = await CancellationScope.nonCancellable(() =>
      acts.createPrediction.executeWithOptions({ summary: `create the prediction of ${call.key} (${call.model})` }, [
        request,
      ])
    );
    gen.callCreated(call.key, created.prediction, created.webhook, Date.now());
    return null;
  } catch (err) {
    // a refused create (a 4xx) created nothing; anything else may have
    if (isPermanent(err)) return err;
    const found = await CancellationScope.nonCancellable(() =>
      acts.findPrediction.executeWithOptions({ summary: `look for the prediction of ${call.key}` }, [
        { ...request, since },
      ])
    );
    if (!found) return err;
    log.warn('adopted the prediction of a create whose answer was lost', { key: call.key, predictionId: found.id });
    gen.callCreated(call.key, found, false, Date.now());
    return null;
  }
}

/** Waits for the prediction's end; past `timeouts.sceneAttempt` it is cancelled and counts as timed out. */
async function awaitEnd(gen: Generation, acts: GenerationActivities, call: PaidCall): Promise<CallOutcome> {
  const started = Date.now();
  const deadline = started + durationMs(gen.plan.timeouts.sceneAttempt);
  const every = durationMs(gen.plan.timeouts.predictionCheck);
  // with a webhook coming, a read is only the fallback for a lost one: allow it one interval more
  let nextRead = started + call.typicalMs + (gen.calls.get(call.key)!.webhook ? every : 0);
  for (;;) {
    const final = gen.calls.final(call.key);
    if (final) return { kind: 'final', prediction: final };
    if (Date.now() >= deadline) {
      await CancellationScope.nonCancellable(() => cancel(gen, acts, call.key));
      const ended = gen.calls.final(call.key);
      // it may have finished before the cancel reached it: a clip made in time is a clip
      return ended?.status === 'succeeded'
        ? { kind: 'final', prediction: ended }
        : { kind: 'timed-out', prediction: ended };
    }
    if (Date.now() >= nextRead) {
      await read(gen, acts, call.key);
      nextRead = Date.now() + every;
      continue;
    }
    await condition(() => gen.calls.final(call.key) !== null, Math.min(nextRead, deadline) - Date.now());
  }
}

/** One read of the prediction; a failed read only waits for the next. */
async function read(gen: Generation, acts: GenerationActivities, key: string): Promise<void> {
  const predictionId = gen.calls.get(key)!.predictionId!;
  try {
    const seen = await acts.getPrediction.executeWithOptions({ summary: `read prediction ${predictionId} (${key})` }, [
      { predictionId },
    ]);
    gen.predictionObserved(key, seen, Date.now());
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('reading a prediction failed; the next read is on the timer', { key, error: messageOf(err) });
  }
}

/** Cancels the prediction of a call still running and records what Replicate answered. */
async function cancel(gen: Generation, acts: GenerationActivities, key: string): Promise<void> {
  const state = gen.calls.get(key);
  if (!state?.predictionId || state.final) return;
  const seen = await acts.cancelPrediction.executeWithOptions(
    { summary: `cancel prediction ${state.predictionId} (${key})` },
    [{ predictionId: state.predictionId }]
  );
  gen.predictionObserved(key, seen, Date.now());
}
