import { condition, isCancellation, log } from '@temporalio/workflow';
import type { StoredClip } from '../schema/activities';
import { clipScore } from '../schema/consistency-score';
import { FailureType } from '../schema/failures';
import { durationMs } from '../schema/plan';
import type { GenerationActivities } from './activity-options';
import type { BudgetClaim } from './budget-admission';
import { accountFailureOf, isPermanent, messageOf } from './failure-details';
import type { GateDecision } from './gate';
import type { Generation } from './generation';
import type { PaidCall } from './paid-calls';
import { runPaidCall } from './paid-call-task';

const now = (): number => Date.now();
/** Tries at scoring one gate clip with CLIP before the gate gives up. */
const SCORE_TRIES = 3;

/**
 * Runs one scene until it has a clip, or has used its attempts. Each attempt is one paid
 * prediction; a failed one is paid and tried again, a gate scene's clip is judged and, when it
 * misses, made again with stronger references. Rejects only when cancelled.
 */
export async function runSceneTask(gen: Generation, acts: GenerationActivities, id: string): Promise<void> {
  const run = gen.scene(id);
  for (;;) {
    if (gen.stop) return;
    if (run.exhausted) return gen.sceneExhausted(id, now());
    run.queue();
    if (gen.slotPerPrediction && !(await takeSlot(gen, id))) return;
    if (
      !(await reserve(gen, {
        key: `${id}#${run.attempts + 1}`,
        sceneId: id,
        kind: 'scene',
        estimateUsd: gen.estimateFor(id),
      }))
    )
      return;
    if (!(await makeClip(gen, acts, gen.beginAttempt(id, now())))) continue;

    if (run.isGate && gen.gate.judging) {
      const judged = await judgeGateAttempt(gen, acts, id);
      if (judged.verdict === 'stop') return;
      if (judged.verdict === 'miss') {
        if (gen.gateMissed(id, judged.note, now()) === 'again') continue;
        if (!(await gateExhausted(gen, id))) return;
      }
    }
    gen.sceneSucceeded(id, now());
    return;
  }
}

/** Waits until the strategy lets the scene's next prediction start (its first one already may). */
async function takeSlot(gen: Generation, id: string): Promise<boolean> {
  gen.needsSlot(id, now());
  await condition(() => gen.scheduler.stateOf(id) === 'running' || gen.stop !== null);
  return gen.stop === null;
}

/** One paid attempt: its prediction, then its clip in storage. Null when the attempt failed (recorded). */
async function makeClip(gen: Generation, acts: GenerationActivities, call: PaidCall): Promise<StoredClip | null> {
  const id = call.sceneId;
  const attempt = gen.scene(id).attempts;
  try {
    const outcome = await runPaidCall(gen, acts, call);
    gen.predictionEnded(id, now());
    if (outcome.kind === 'not-created') {
      gen.attemptFailed(
        id,
        call.key,
        { error: messageOf(outcome.failure), permanent: isPermanent(outcome.failure) },
        now()
      );
      // a refused token or an empty account fails every scene alike: stop the generation now, once
      const account = accountFailureOf(outcome.failure);
      if (account) gen.halt(account, now());
      return null;
    }
    if (outcome.kind === 'timed-out') {
      const limit = String(gen.plan.timeouts.sceneAttempt);
      gen.attemptFailed(
        id,
        call.key,
        {
          error: `the prediction ran longer than timeouts.sceneAttempt (${limit}) and was cancelled`,
          permanent: false,
        },
        now()
      );
      return null;
    }
    // a failed run fails this activity (red in the Web UI) with the model's error; a finished one is copied into storage
    const clip = await acts.collectClip.executeWithOptions(
      { summary: `scene ${id} attempt ${attempt}: collect the clip of prediction ${outcome.prediction.id}` },
      [{ generationId: gen.generationId, sceneId: id, attempt, prediction: outcome.prediction }]
    );
    gen.attemptProduced(id, call.key, clip, now());
    return clip;
  } catch (err) {
    if (isCancellation(err)) {
      gen.attemptCancelled(id, call.key, now());
      throw err;
    }
    log.warn('scene attempt failed', { key: call.key, error: messageOf(err) });
    gen.attemptFailed(id, call.key, { error: messageOf(err), permanent: false }, now());
    return null;
  }
}

/** Reserves money for one paid call, waiting in line while the budget is short; false means stop. */
async function reserve(gen: Generation, claim: BudgetClaim): Promise<boolean> {
  const answer = gen.requestBudget(claim, now());
  if (answer !== 'waiting') return answer === 'reserved';
  for (;;) {
    const deadline = gen.admission.deadline ?? now();
    const left = deadline - now();
    if (left <= 0) break;
    const inTime = await condition(
      () => gen.admission.isGranted(claim.key) || gen.stop !== null || gen.admission.deadline !== deadline,
      left
    );
    if (!inTime || gen.admission.isGranted(claim.key) || gen.stop) break;
  }
  return gen.endMoneyWait(claim, now());
}

/** Waits for a person's decision on a gate scene; null when the wait ended without one. */
async function askPerson(gen: Generation, id: string): Promise<GateDecision | null> {
  gen.askPerson(id, now());
  const answered = await condition(
    () => gen.gate.answerFor(id) !== undefined || gen.stop !== null,
    durationMs(gen.plan.gate.approvalTimeout)
  );
  return gen.endAsk(id, answered, now());
}

type Judged = { verdict: 'pass' | 'miss' | 'stop'; note: string | null };

/** Scores a gate attempt (locally, or with paid CLIP predictions), or asks a person with the manual scorer. */
async function judgeGateAttempt(gen: Generation, acts: GenerationActivities, id: string): Promise<Judged> {
  const run = gen.scene(id);
  run.scoring();
  if (gen.scorer === 'manual') {
    // the person is the scorer: a rejection counts as a miss and the scene is made again stronger
    const decision = await askPerson(gen, id);
    if (!decision) return { verdict: 'stop', note: null };
    if (decision.approved) gen.gate.approved();
    else gen.gate.rejected(run.attempts, run.latest!.strength, decision.text);
    return { verdict: decision.approved ? 'pass' : 'miss', note: decision.approved ? null : decision.text };
  }
  gen.touch(now());
  const clipPath = run.clip!.path;
  try {
    if (gen.scorer === 'clip') return await scoreWithClip(gen, acts, id, clipPath);
    const result = await acts.scoreClip.executeWithOptions(
      { summary: `gate: score scene ${id} attempt ${run.attempts} (local)` },
      [{ clipPath, references: gen.referencesOf(id) }]
    );
    return { verdict: gen.gateScored(id, result.score, now()), note: null };
  } catch (err) {
    if (isCancellation(err)) throw err;
    gen.halt(
      { type: FailureType.GateFailed, message: `the gate could not score scene ${id}: ${messageOf(err)}` },
      now()
    );
    return { verdict: 'stop', note: null };
  }
}

/** CLIP scoring: frames uploaded once, then up to SCORE_TRIES paid predictions, each booked. */
async function scoreWithClip(
  gen: Generation,
  acts: GenerationActivities,
  id: string,
  clipPath: string
): Promise<Judged> {
  const run = gen.scene(id);
  const { frameUrls } = await acts.sampleFrames.executeWithOptions(
    { summary: `gate: sample frames of scene ${id} attempt ${run.attempts} for CLIP` },
    [{ sceneId: id, attempt: run.attempts, clipPath }]
  );
  let lastError = '';
  for (let tries = 1; tries <= SCORE_TRIES; tries++) {
    const key = `${id}#${run.attempts}/score#${tries}`;
    if (!(await reserve(gen, { key, sceneId: id, kind: 'score', estimateUsd: gen.scorerEstimate() }))) {
      return { verdict: 'stop', note: null };
    }
    const outcome = await runPaidCall(gen, acts, gen.beginScore(id, tries, frameUrls));
    if (outcome.kind === 'final' && outcome.prediction.status === 'succeeded') {
      const score = clipScore(outcome.prediction.output, frameUrls, gen.referencesOf(id));
      return { verdict: gen.gateScored(id, score, now()), note: null };
    }
    lastError =
      outcome.kind === 'not-created'
        ? messageOf(outcome.failure)
        : `prediction ${outcome.prediction?.status ?? 'unconfirmed'}: ${outcome.prediction?.error ?? 'no output'}`;
    const account = outcome.kind === 'not-created' ? accountFailureOf(outcome.failure) : undefined;
    if (account) {
      gen.halt(account, now());
      return { verdict: 'stop', note: null };
    }
  }
  gen.halt(
    {
      type: FailureType.GateFailed,
      message: `the gate could not score scene ${id}: the CLIP scorer failed ${SCORE_TRIES} times (${lastError})`,
    },
    now()
  );
  return { verdict: 'stop', note: null };
}

/** A gate scene missed on every attempt: fail, or let a person decide, as the plan says. */
async function gateExhausted(gen: Generation, id: string): Promise<boolean> {
  const { gate } = gen.plan;
  if (gen.scorer === 'manual') {
    const message = `a person rejected gate scene ${id} on all ${gate.maxAttempts} attempts (${gen.gate.rejectionSummary})`;
    gen.halt({ type: FailureType.GateRejected, message }, now());
    return false;
  }
  const summary = `scene ${id} stayed below the consistency threshold ${gate.threshold} after ${gate.maxAttempts} attempts (scores: ${gen.gate.scoresOf(id)})`;
  if (gate.onFail === 'fail') {
    gen.halt({ type: FailureType.GateFailed, message: summary }, now());
    return false;
  }
  const decision = await askPerson(gen, id);
  if (!decision) return false;
  if (!decision.approved) {
    gen.halt({ type: FailureType.GateRejected, message: `the gate was rejected: ${decision.text}; ${summary}` }, now());
    return false;
  }
  gen.gate.approved();
  return true;
}
