import { CancellationScope, condition, isCancellation, log } from '@temporalio/workflow';
import type { SceneClipResult } from '../schema/activities';
import { FailureType } from '../schema/failures';
import { durationMs } from '../schema/plan';
import type { GenerationActivities } from './activity-options';
import type { BudgetClaim } from './budget-admission';
import {
  accountFailureOf,
  cancelledCostOf,
  isPermanent,
  messageOf,
  predictionFailureOf,
  predictionIdOf,
} from './failure-details';
import type { GateDecision } from './gate';
import type { Generation } from './generation';

const short = (text: string, max = 120): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * Runs one scene until it has a clip, or has used its attempts. Each attempt is one paid
 * prediction; a failed one is paid and tried again, a gate scene's clip is judged and, when it
 * misses, made again with stronger references. Rejects only when cancelled.
 */
export async function runSceneTask(gen: Generation, acts: GenerationActivities, id: string): Promise<void> {
  const run = gen.scene(id);
  for (;;) {
    if (gen.stop) return;
    if (run.exhausted) return gen.sceneExhausted(id, Date.now());
    const key = `${id}#${run.attempts + 1}`;
    run.queue();
    if (!(await reserve(gen, { key, sceneId: id, kind: 'scene', estimateUsd: gen.estimateFor(id) }))) return;
    const request = gen.beginAttempt(id, Date.now());
    let result: SceneClipResult;
    try {
      result = await acts.generateSceneClip.executeWithOptions(
        {
          summary: short(
            `scene ${run.index}/${gen.order.length} ${id} (attempt ${request.attempt}, strength ${request.strength}): ${request.prompt}`
          ),
        },
        [request]
      );
    } catch (err) {
      if (isCancellation(err)) {
        gen.attemptCancelled(
          id,
          cancelledCostOf(err) ?? gen.estimateFor(id),
          predictionIdOf(err) ?? null,
          key,
          Date.now()
        );
        throw err;
      }
      await attemptFailed(gen, acts, id, key, err);
      continue;
    }
    if (result.outcome !== 'succeeded' || !result.clip) {
      // histories recorded before model failures became failed activities carry them as values
      const error = result.error ?? `prediction ${result.outcome}`;
      gen.attemptFailed(
        id,
        { error, costUsd: result.costUsd, predictionId: result.predictionId, permanent: false },
        key,
        Date.now()
      );
      continue;
    }
    gen.attemptProduced(id, result.clip, result.costUsd, result.predictionId, key, Date.now());

    if (run.isGate && gen.gate.judging) {
      const judged = await judgeGateAttempt(gen, acts, id);
      if (judged.verdict === 'stop') return;
      if (judged.verdict === 'miss') {
        if (gen.gateMissed(id, judged.note) === 'again') {
          gen.touch(Date.now());
          continue;
        }
        if (!(await gateExhausted(gen, id))) return;
      }
    }
    gen.sceneSucceeded(id, Date.now());
    return;
  }
}

/** An attempt's activity failed for good: the model failed, the account was refused, or the call gave up. */
async function attemptFailed(
  gen: Generation,
  acts: GenerationActivities,
  id: string,
  key: string,
  err: unknown
): Promise<void> {
  const now = (): number => Date.now();
  const modelFailure = predictionFailureOf(err);
  if (modelFailure) {
    log.warn('scene attempt failed', { sceneId: id, error: modelFailure.error });
    gen.attemptFailed(id, { ...modelFailure, permanent: false }, key, now());
    return;
  }
  // an activity that gave up may leave its prediction running, unwatched and billed: cancel it
  const predictionId = predictionIdOf(err) ?? null;
  let cost = 0;
  if (predictionId) {
    cost = await CancellationScope.nonCancellable(() =>
      acts
        .cancelPrediction({ predictionId, model: gen.plan.model, durationSec: gen.scene(id).scene.durationSec })
        .then((r) => r.costUsd)
        .catch(() => gen.estimateFor(id))
    );
  }
  const error = messageOf(err);
  log.warn('scene attempt activity failed', { sceneId: id, error });
  gen.attemptFailed(id, { error, costUsd: cost, predictionId, permanent: isPermanent(err) }, key, now());
  // a refused token or an empty account fails every scene alike: stop the generation now, once
  const account = accountFailureOf(err);
  if (account) gen.halt(account, now());
}

/** Reserves money for one paid call, waiting in line while the budget is short; false means stop. */
async function reserve(gen: Generation, claim: BudgetClaim): Promise<boolean> {
  const answer = gen.requestBudget(claim, Date.now());
  if (answer !== 'waiting') return answer === 'reserved';
  for (;;) {
    const deadline = gen.admission.deadline ?? Date.now();
    const left = deadline - Date.now();
    if (left <= 0) break;
    const inTime = await condition(
      () => gen.admission.isGranted(claim.key) || gen.stop !== null || gen.admission.deadline !== deadline,
      left
    );
    if (!inTime || gen.admission.isGranted(claim.key) || gen.stop) break;
  }
  return gen.endMoneyWait(claim, Date.now());
}

/** Waits for a person's decision on a gate scene; null when the wait ended without one. */
async function askPerson(gen: Generation, id: string): Promise<GateDecision | null> {
  gen.askPerson(id, Date.now());
  const answered = await condition(
    () => gen.gate.answerFor(id) !== undefined || gen.stop !== null,
    durationMs(gen.plan.gate.approvalTimeout)
  );
  return gen.endAsk(id, answered, Date.now());
}

/** Scores a gate attempt, or asks a person with the manual scorer. */
async function judgeGateAttempt(
  gen: Generation,
  acts: GenerationActivities,
  id: string
): Promise<{ verdict: 'pass' | 'miss' | 'stop'; note: string | null }> {
  const run = gen.scene(id);
  const { gate } = gen.plan;
  if (gate.scorer === 'manual') {
    // the person is the scorer: a rejection counts as a miss and the scene is made again stronger
    run.scoring();
    const decision = await askPerson(gen, id);
    if (!decision) return { verdict: 'stop', note: null };
    if (decision.approved) gen.gate.approved();
    else gen.gate.rejected(run.attempts, run.latest!.strength, decision.text);
    return { verdict: decision.approved ? 'pass' : 'miss', note: decision.approved ? null : decision.text };
  }
  const key = `${id}#${run.attempts}/score`;
  if (!(await reserve(gen, { key, sceneId: id, kind: 'score', estimateUsd: gen.scorerEstimate() }))) {
    return { verdict: 'stop', note: null };
  }
  run.scoring();
  gen.touch(Date.now());
  try {
    const result = await acts.scoreConsistency.executeWithOptions(
      { summary: short(`gate: score scene ${id} attempt ${run.attempts} (${gate.scorer})`) },
      [
        {
          generationId: gen.generationId,
          sceneId: id,
          scorer: gate.scorer,
          clipPath: run.clip!.path,
          references: gen.referencesOf(id),
        },
      ]
    );
    return { verdict: gen.gateScored(id, result.score, key, result.costUsd, Date.now()), note: null };
  } catch (err) {
    gen.settle(key, isCancellation(err) ? gen.scorerEstimate() : 0);
    if (isCancellation(err)) throw err;
    gen.halt(
      { type: FailureType.GateFailed, message: `the gate could not score scene ${id}: ${messageOf(err)}` },
      Date.now()
    );
    return { verdict: 'stop', note: null };
  }
}

/** A gate scene missed on every attempt: fail, or let a person decide, as the plan says. */
async function gateExhausted(gen: Generation, id: string): Promise<boolean> {
  const { gate } = gen.plan;
  if (gate.scorer === 'manual') {
    const message = `a person rejected gate scene ${id} on all ${gate.maxAttempts} attempts (${gen.gate.rejectionSummary})`;
    gen.halt({ type: FailureType.GateRejected, message }, Date.now());
    return false;
  }
  const summary = `scene ${id} stayed below the consistency threshold ${gate.threshold} after ${gate.maxAttempts} attempts (scores: ${gen.gate.scoresOf(id)})`;
  if (gate.onFail === 'fail') {
    gen.halt({ type: FailureType.GateFailed, message: summary }, Date.now());
    return false;
  }
  const decision = await askPerson(gen, id);
  if (!decision) return false;
  if (!decision.approved) {
    gen.halt(
      { type: FailureType.GateRejected, message: `the gate was rejected: ${decision.text}; ${summary}` },
      Date.now()
    );
    return false;
  }
  gen.gate.approved();
  return true;
}
