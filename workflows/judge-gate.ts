import { condition, isCancellation, patched } from '@temporalio/workflow';
import { aggregateScore } from '../schema/consistency-score';
import { FailureType } from '../schema/failures';
import { durationMs } from '../schema/plan';
import type { GenerationActivities } from './activity-options';
import { scoreWithClipModel } from './clip-scoring';
import { messageOf } from './failure-details';
import type { GateDecision } from './rules/gate';
import { unseenGroups } from './rules/consistency-checks';
import type { GateVerdicts } from './rules/gate-verdicts';
import type { SceneAttempts } from './rules/scene-attempts';

/** Runs begun before this released the scenes after an approved gate one step stronger than the approved clip. */
const KEEP_APPROVED_STRENGTH = 'keep-approved-strength';

type Judged = { verdict: 'pass' | 'miss' | 'stop'; note: string | null };

/**
 * Judges a gate attempt: scored locally or with paid CLIP predictions, or, with the manual
 * scorer, by a person. What is judged is the attempt's clip, or its keyframe (`pipeline: keyframe`).
 */
export async function judgeGateAttempt(
  attempts: SceneAttempts,
  verdicts: GateVerdicts,
  acts: GenerationActivities,
  id: string,
  of: 'keyframe' | 'clip' = 'clip'
): Promise<Judged> {
  const run = attempts.scene(id);
  verdicts.startJudging(id);
  if (verdicts.scorer === 'manual') {
    // the person is the scorer: a rejection counts as a miss and the scene is made again stronger
    const decision = await personsAnswer(verdicts, attempts, id);
    if (!decision) return { verdict: 'stop', note: null };
    return { verdict: decision.approved ? 'pass' : 'miss', note: decision.approved ? null : decision.text };
  }
  const clipPath = of === 'keyframe' ? run.latest!.keyframe!.scorePath : run.clip!.path;
  try {
    if (verdicts.scorer === 'clip') return await scoreWithClip(attempts, verdicts, acts, id, clipPath);
    const result = await acts.scoreClip.executeWithOptions(
      {
        summary: `gate: score scene ${id} attempt ${run.attempts}${of === 'keyframe' ? "'s keyframe" : ''} (${verdicts.scorer})`,
      },
      [{ clipPath, references: attempts.referencesOf(id) }]
    );
    return { verdict: verdicts.scored(id, result.score, unseenGroups(result.perReference)), note: null };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const message = `the gate could not score scene ${id}: ${messageOf(err)}`;
    attempts.halt({ type: FailureType.GateFailed, message });
    return { verdict: 'stop', note: null };
  }
}

/** CLIP scoring: paid predictions booked like the clips; a scorer that keeps failing fails the gate. */
async function scoreWithClip(
  attempts: SceneAttempts,
  verdicts: GateVerdicts,
  acts: GenerationActivities,
  id: string,
  clipPath: string
): Promise<Judged> {
  const scored = await scoreWithClipModel(attempts, acts, id, clipPath, 'gate');
  if (scored.kind === 'scored')
    return { verdict: verdicts.scored(id, aggregateScore(scored.perReference)), note: null };
  if (scored.kind === 'failed') {
    attempts.halt({ type: FailureType.GateFailed, message: `the gate could not score scene ${id}: ${scored.message}` });
  }
  return { verdict: 'stop', note: null };
}

/** A gate scene missed on every attempt: fail, or let a person decide, as the plan says. Returns true when approved. */
export async function gateExhausted(attempts: SceneAttempts, verdicts: GateVerdicts, id: string): Promise<boolean> {
  const { gate } = attempts.plan;
  if (verdicts.scorer === 'manual') {
    const message = `a person rejected gate scene ${id} on all ${gate.maxAttempts} attempts (${verdicts.rejections})`;
    attempts.halt({ type: FailureType.GateRejected, message });
    return false;
  }
  const summary = `scene ${id} stayed below the consistency threshold ${gate.threshold} after ${gate.maxAttempts} attempts (scores: ${verdicts.scoresOf(id)})`;
  if (gate.onFail === 'fail') {
    attempts.halt({ type: FailureType.GateFailed, message: summary });
    return false;
  }
  verdicts.askPerson(id);
  const decision = await personsAnswer(verdicts, attempts, id);
  if (!decision) return false;
  if (!decision.approved) {
    attempts.halt({ type: FailureType.GateRejected, message: `the gate was rejected: ${decision.text}; ${summary}` });
    return false;
  }
  if (patched(KEEP_APPROVED_STRENGTH)) verdicts.keepApproved(id);
  return true;
}

/** Waits for a person's decision on a gate scene already asked; null when the wait ended without one. */
async function personsAnswer(
  verdicts: GateVerdicts,
  attempts: SceneAttempts,
  id: string
): Promise<GateDecision | null> {
  const answered = await condition(
    () => verdicts.answerFor(id) !== undefined || attempts.stop !== null,
    durationMs(attempts.plan.gate.approvalTimeout),
    { summary: `a person's decision on gate scene ${id}: gate.approvalTimeout` }
  );
  return verdicts.endAsk(id, answered);
}
