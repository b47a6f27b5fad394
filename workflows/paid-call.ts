import { CancellationScope, condition, isCancellation, log, patched, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../schema/plan';
import type { PredictionSnapshot } from '../schema/prediction';
import type { GenerationActivities } from './activity-options';
import { accountFailureOf, isPermanent, messageOf } from './failure-details';
import type { BudgetClaim } from './rules/budget-admission';
import type { PaidCall } from './rules/paid-calls';
import { readSchedule } from './rules/read-schedule';
import type { SceneAttempts } from './rules/scene-attempts';

/** How a paid call ended: its prediction's final state, or no prediction at all. */
export type CallOutcome =
  | { kind: 'final'; prediction: PredictionSnapshot }
  | { kind: 'timed-out'; prediction: PredictionSnapshot | null }
  | { kind: 'not-created'; failure: unknown };

/** Reserves money for one paid call, waiting in line while the budget is short; false means stop. */
export async function reserve(attempts: SceneAttempts, claim: BudgetClaim): Promise<boolean> {
  const answer = attempts.requestBudget(claim);
  if (answer !== 'waiting') return answer === 'reserved';
  for (;;) {
    const deadline = attempts.moneyDeadline ?? Date.now();
    const left = deadline - Date.now();
    if (left <= 0) break;
    const inTime = await condition(
      () => attempts.isGranted(claim.key) || attempts.stop !== null || attempts.moneyDeadline !== deadline,
      left,
      { summary: `money for ${claim.sceneId}: budget.waitTimeout` }
    );
    if (!inTime || attempts.isGranted(claim.key) || attempts.stop) break;
  }
  return attempts.endMoneyWait(claim);
}

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
export async function runPaidCall(
  attempts: SceneAttempts,
  acts: GenerationActivities,
  call: PaidCall
): Promise<CallOutcome> {
  const failure = await create(attempts, acts, call);
  if (failure !== null) {
    attempts.bookCall(call.key);
    return { kind: 'not-created', failure };
  }
  try {
    return await awaitEnd(attempts, acts, call);
  } catch (err) {
    if (isCancellation(err)) await CancellationScope.nonCancellable(() => cancel(attempts, acts, call.key));
    throw err;
  } finally {
    attempts.bookCall(call.key);
  }
}

/**
 * Creates the prediction and records it. A create is never cut off halfway (it would leave a
 * prediction nobody records); one that gave up without a clear answer is looked for before
 * anything else is created for the scene. Returns null once the prediction exists, or the
 * failure when none was created.
 */
async function create(attempts: SceneAttempts, acts: GenerationActivities, call: PaidCall): Promise<unknown> {
  const request = {
    key: call.key,
    workflowId: workflowInfo().workflowId,
    model: call.model,
    ...(call.version ? { version: call.version } : {}),
    input: call.input,
    knownIds: attempts.knownIds(),
    // Replicate stops billing by itself when the workflow's own deadline for the call has passed
    cancelAfterSec: Math.ceil(durationMs(attempts.plan.timeouts.sceneAttempt) / 1000),
  };
  const since = Date.now();
  try {
    const created = await CancellationScope.nonCancellable(() =>
      acts.createPrediction.executeWithOptions({ summary: `create the prediction of ${call.key} (${call.model})` }, [
        request,
      ])
    );
    attempts.callCreated(call.key, created.prediction, created.webhook);
    keepEarlyReport(attempts, call.key);
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
    attempts.callCreated(call.key, found, false);
    keepEarlyReport(attempts, call.key);
    return null;
  }
}

/**
 * A webhook's report of an end that came before the create's answer (a model done in a moment,
 * as the CLIP scorer and the rehearsal's models are) is kept and read at once; runs begun before
 * this dropped it and waited for the read at the model's typical time, and still do.
 */
const KEEP_EARLY_REPORTS = 'keep-early-reports';

function keepEarlyReport(attempts: SceneAttempts, key: string): void {
  if (attempts.hasEarlyReport(key) && patched(KEEP_EARLY_REPORTS)) attempts.takeEarlyReport(key);
}

/**
 * A webhook's report of an end is checked with one read before anything is booked or
 * downloaded: a signal's body is whatever its sender wrote (a forged `aborted` booked nothing for
 * a run that billed; a forged `succeeded` pointed the download elsewhere while the prediction ran
 * on). Runs begun before this took the report as the end, and still do.
 */
const CONFIRM_REPORTED_ENDS = 'confirm-reported-ends';

/** A run begun before `CONFIRM_REPORTED_ENDS` takes a reported end as final, as it then did. */
function trustedReport(attempts: SceneAttempts, key: string): void {
  if (attempts.reportedEnd(key) && !patched(CONFIRM_REPORTED_ENDS)) attempts.trustReport(key);
}

/**
 * Waits for the prediction's end, as Replicate answers a read: a webhook's report prompts one at
 * once; past `timeouts.sceneAttempt` the prediction is cancelled and counts as timed out.
 */
async function awaitEnd(attempts: SceneAttempts, acts: GenerationActivities, call: PaidCall): Promise<CallOutcome> {
  const { timeouts } = attempts.plan;
  const started = Date.now();
  const deadline = started + durationMs(timeouts.sceneAttempt);
  const { webhook } = attempts.call(call.key)!;
  const reads = readSchedule(
    { typicalMs: call.typicalMs, webhook },
    durationMs(timeouts.predictionCheck),
    attempts.promptReads
  );
  let nextRead = started + reads.firstAfterMs;
  for (;;) {
    trustedReport(attempts, call.key);
    const final = attempts.final(call.key);
    if (final) return { kind: 'final', prediction: final };
    if (attempts.reportedEnd(call.key)) {
      // the read decides: ended, it is the end; still running, the wait goes on
      attempts.checkingReport(call.key);
      await read(attempts, acts, call.key);
      continue;
    }
    if (Date.now() >= deadline) {
      await CancellationScope.nonCancellable(() => cancel(attempts, acts, call.key));
      const ended = attempts.final(call.key);
      // it may have finished before the cancel reached it: a clip made in time is a clip
      return ended?.status === 'succeeded'
        ? { kind: 'final', prediction: ended }
        : { kind: 'timed-out', prediction: ended };
    }
    if (Date.now() >= nextRead) {
      await read(attempts, acts, call.key);
      nextRead = Date.now() + reads.everyMs;
      continue;
    }
    await condition(
      () => attempts.final(call.key) !== null || attempts.reportedEnd(call.key) !== null,
      Math.min(nextRead, deadline) - Date.now(),
      { summary: `${call.key}: until its next read` }
    );
  }
}

/** One read of the prediction, the truth about it; a failed read waits for the next, unless the account is refused. */
async function read(attempts: SceneAttempts, acts: GenerationActivities, key: string): Promise<void> {
  const predictionId = attempts.call(key)!.predictionId!;
  try {
    const seen = await acts.getPrediction.executeWithOptions({ summary: `read prediction ${predictionId} (${key})` }, [
      { predictionId },
    ]);
    trustedReport(attempts, key);
    attempts.predictionRead(key, seen);
  } catch (err) {
    if (isCancellation(err)) throw err;
    // a refused token or an empty account fails every read and create alike: stop now, as a create's would
    const account = accountFailureOf(err);
    if (account && patched(CONFIRM_REPORTED_ENDS)) return attempts.halt(account);
    log.warn('reading a prediction failed; the next read is on the timer', { key, error: messageOf(err) });
  }
}

/** Cancels the prediction of a call still running and records what Replicate answered. */
async function cancel(attempts: SceneAttempts, acts: GenerationActivities, key: string): Promise<void> {
  trustedReport(attempts, key);
  const state = attempts.call(key);
  if (!state?.predictionId || state.final) return;
  const seen = await acts.cancelPrediction.executeWithOptions(
    { summary: `cancel prediction ${state.predictionId} (${key})` },
    [{ predictionId: state.predictionId }]
  );
  trustedReport(attempts, key);
  attempts.predictionRead(key, seen);
}
