import { condition, isCancellation, log, patched } from '@temporalio/workflow';
import type { StoredClip } from '../schema/activities';
import type { GenerationActivities } from './activity-options';
import { CHECK_EVERY_SCENE, checkScene } from './check-scene';
import { accountFailureOf, isPermanent, messageOf } from './failure-details';
import { gateExhausted, judgeGateAttempt } from './judge-gate';
import { reserve, runPaidCall } from './paid-call';
import { renewExpiringReferences } from './renew-references';
import type { DriftVerdicts } from './rules/drift-verdicts';
import type { GateVerdicts } from './rules/gate-verdicts';
import type { PaidCall } from './rules/paid-calls';
import type { SceneAttempts } from './rules/scene-attempts';

/**
 * Runs one scene until it has a clip, or has used its attempts. Each attempt waits for a slot
 * and for money, then runs its paid calls; a failed one is paid and tried again, a gate scene's
 * clip is judged and, when it misses, made again with stronger references; after the gate, a
 * scene the plan's consistency check covers is scored and, when it drifted, handled as
 * `consistency.onDrift` says. Rejects only when cancelled.
 */
export async function runScene(
  attempts: SceneAttempts,
  verdicts: GateVerdicts,
  drifts: DriftVerdicts,
  acts: GenerationActivities,
  id: string
): Promise<void> {
  const run = attempts.scene(id);
  for (;;) {
    if (attempts.stop) return;
    if (run.exhausted) return attempts.exhausted(id);
    attempts.queue(id);
    if (attempts.slotPerPrediction && !(await takeSlot(attempts, id))) return;
    if (!(await reserve(attempts, attempts.clipClaim(id)))) return;
    await renewExpiringReferences(attempts, acts);
    if (!(await makeClip(attempts, acts, attempts.beginAttempt(id)))) continue;

    if (run.isGate && verdicts.judging) {
      const judged = await judgeGateAttempt(attempts, verdicts, acts, id);
      if (judged.verdict === 'stop') return;
      if (judged.verdict === 'miss') {
        if (verdicts.missed(id, judged.note) === 'again') continue;
        if (!(await gateExhausted(attempts, verdicts, id))) return;
      }
    } else if (drifts.wants(id) && patched(CHECK_EVERY_SCENE)) {
      const checked = await checkScene(attempts, drifts, acts, id);
      if (checked === 'stop') return;
      if (checked === 'again') continue;
    }
    attempts.succeeded(id);
    return;
  }
}

/** Waits until the strategy lets the scene's next prediction start (its first one already may). */
async function takeSlot(attempts: SceneAttempts, id: string): Promise<boolean> {
  attempts.needsSlot(id);
  await condition(() => attempts.slotOf(id) === 'running' || attempts.stop !== null);
  return attempts.stop === null;
}

/** One paid attempt: its prediction, then its clip in storage. Null when the attempt failed (recorded). */
async function makeClip(
  attempts: SceneAttempts,
  acts: GenerationActivities,
  call: PaidCall
): Promise<StoredClip | null> {
  const id = call.sceneId;
  try {
    const outcome = await runPaidCall(attempts, acts, call);
    attempts.predictionEnded(id);
    if (outcome.kind === 'not-created') {
      attempts.failed(id, { error: messageOf(outcome.failure), permanent: isPermanent(outcome.failure) });
      // a refused token or an empty account fails every scene alike: stop the generation now, once
      const account = accountFailureOf(outcome.failure);
      if (account) attempts.halt(account);
      return null;
    }
    if (outcome.kind === 'timed-out') {
      const limit = String(attempts.plan.timeouts.sceneAttempt);
      const error = `the prediction ran longer than timeouts.sceneAttempt (${limit}) and was cancelled`;
      attempts.failed(id, { error, permanent: false });
      return null;
    }
    // a failed run fails this activity (red in the Web UI) with the model's error; a finished one is copied into storage
    const clip = await acts.collectClip.executeWithOptions(
      { summary: `scene ${id} attempt ${call.attempt}: collect the clip of prediction ${outcome.prediction.id}` },
      [{ generationId: attempts.generationId, sceneId: id, attempt: call.attempt, prediction: outcome.prediction }]
    );
    attempts.produced(id, clip);
    return clip;
  } catch (err) {
    if (isCancellation(err)) {
      attempts.cancelled(id);
      throw err;
    }
    log.warn('scene attempt failed', { key: call.key, error: messageOf(err) });
    attempts.failed(id, { error: messageOf(err), permanent: false });
    return null;
  }
}
