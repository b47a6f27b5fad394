import { condition, isCancellation } from '@temporalio/workflow';
import { FailureType } from '../schema/failures';
import { durationMs } from '../schema/plan';
import type { GenerationActivities } from './activity-options';
import { scoreWithClipModel } from './clip-scoring';
import { messageOf } from './failure-details';
import { checkScorerOf, type CheckScorer } from './rules/check-scorer';
import { framesByGroup, type GroupFrames, type ScoredReference } from './rules/consistency-checks';
import type { DriftVerdicts } from './rules/drift-verdicts';
import type { SceneAttempts } from './rules/scene-attempts';

/** Runs begun before this did not score the scenes after the gate (`plan.consistency`). */
export const CHECK_EVERY_SCENE = 'check-every-scene';

/** What follows a scene's check: it keeps its clip, is made again, or the generation stopped. */
export type Checked = 'keep' | 'again' | 'stop';

/**
 * The consistency check of a scene's new clip once the gate is done with it: scored with the
 * gate's scorer; a drift is made again, put to a person or flagged, as `consistency.onDrift`
 * says. What a parallel run lacked: the gate checks the references once, this checks every clip.
 */
export async function checkScene(
  attempts: SceneAttempts,
  drifts: DriftVerdicts,
  acts: GenerationActivities,
  id: string,
  of: 'keyframe' | 'clip' = 'clip'
): Promise<Checked> {
  const scorer = checkScorerOf(drifts.gateScorer);
  if (!scorer) {
    const message =
      'consistency: the check scores clips with the gate\'s scorer, and this worker resolved it to "manual" (hosted Replicate without object storage); set gate.scorer, or SCENEGATE_S3_BUCKET for "clip"';
    attempts.halt({ type: FailureType.InvalidPlan, message });
    return 'stop';
  }
  drifts.startChecking(id);
  const scored = await scoreScene(attempts, acts, id, scorer, of);
  if (!scored) return 'stop';
  const { byGroup, frames } = scored;
  const { verdict, next } = drifts.scored(id, byGroup, of, frames);
  if (verdict === 'pass') return 'keep';
  const scores = Object.entries(byGroup)
    .map(([group, score]) => `${group} ${Math.round(score * 1000) / 1000}`)
    .join(', ');
  const note = `${of === 'keyframe' ? 'its keyframe ' : ''}drifted from its references (${scores}; threshold ${drifts.threshold})`;
  if (next === 'regenerate') {
    drifts.regenerate(id, note);
    return 'again';
  }
  if (next === 'flag') {
    drifts.flag(id);
    return 'keep';
  }
  drifts.askPerson(id);
  await condition(
    () => drifts.answerFor(id) !== undefined || attempts.stop !== null,
    durationMs(attempts.plan.gate.approvalTimeout),
    { summary: `a person's decision on drifted scene ${id}: gate.approvalTimeout` }
  );
  const after = drifts.endAsk(id);
  return after === 'regenerate' ? 'again' : after;
}

/**
 * Each group's score of the scene's latest clip or keyframe (by its best reference) and, from a
 * worker-side scorer, where that reference was seen; null when the generation stopped.
 */
async function scoreScene(
  attempts: SceneAttempts,
  acts: GenerationActivities,
  id: string,
  scorer: CheckScorer,
  of: 'keyframe' | 'clip'
): Promise<{ byGroup: Record<string, number>; frames?: GroupFrames } | null> {
  const run = attempts.scene(id);
  const clipPath = of === 'keyframe' ? run.latest!.keyframe!.scorePath : run.clip!.path;
  try {
    let perReference: ScoredReference[];
    if (scorer === 'clip') {
      const scored = await scoreWithClipModel(attempts, acts, id, clipPath, 'check');
      if (scored.kind === 'stop') return null;
      if (scored.kind === 'failed') throw new Error(scored.message);
      perReference = scored.perReference;
    } else {
      const result = await acts.scoreClip.executeWithOptions(
        {
          summary: `check: score scene ${id} attempt ${run.attempts}${of === 'keyframe' ? "'s keyframe" : ''} (${scorer})`,
        },
        [{ clipPath, references: attempts.referencesOf(id) }]
      );
      perReference = result.perReference;
    }
    const byGroup: Record<string, number> = {};
    for (const r of perReference) byGroup[r.groupId] = Math.max(byGroup[r.groupId] ?? 0, r.score);
    const frames = framesByGroup(perReference);
    return { byGroup, ...(frames ? { frames } : {}) };
  } catch (err) {
    if (isCancellation(err)) throw err;
    attempts.halt({
      type: FailureType.GateFailed,
      message: `the consistency check could not score scene ${id}: ${messageOf(err)}`,
    });
    return null;
  }
}
