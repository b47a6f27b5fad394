import { condition } from '@temporalio/workflow';
import { durationMs } from '../schema/plan';
import type { GenerationActivities } from './activity-options';
import { attemptStep } from './attempt-step';
import { checkScene } from './check-scene';
import { gateExhausted, judgeGateAttempt } from './judge-gate';
import type { DriftVerdicts } from './rules/drift-verdicts';
import type { GateVerdicts } from './rules/gate-verdicts';
import type { PaidCall } from './rules/paid-calls';
import type { SceneAttempts } from './rules/scene-attempts';
import { renewExpiringKeyframe } from './renew-references';
import { takeSlot } from './scene-slot';

/** What follows a keyframe: its clip (`animate`), another attempt, or nothing (the generation stopped). */
export type AfterKeyframe = 'animate' | 'again' | 'stop';

/**
 * The first step of a `pipeline: keyframe` attempt: the keyframe's paid prediction, the image
 * in storage, then its judgement before any money goes on its clip (the gate's at a gate scene,
 * else the keyframe check, which makes a drifted keyframe again one step stronger). An attempt
 * that ends here gives back the money its clip had reserved.
 */
export async function keyframeFirst(
  attempts: SceneAttempts,
  verdicts: GateVerdicts,
  drifts: DriftVerdicts,
  acts: GenerationActivities,
  call: PaidCall
): Promise<AfterKeyframe> {
  const id = call.sceneId;
  let next: AfterKeyframe = 'stop';
  // true once the clip is sure to be created: until then its money goes back when the attempt ends
  let toClip = false;
  try {
    const made = await attemptStep(
      attempts,
      call,
      (prediction) =>
        acts.collectKeyframe.executeWithOptions(
          { summary: `scene ${id} attempt ${call.attempt}: collect the keyframe of prediction ${prediction.id}` },
          [{ generationId: attempts.generationId, sceneId: id, attempt: call.attempt, prediction }]
        ),
      acts
    );
    if (!made) return (next = 'again');
    attempts.keyframe.made(id, {
      path: made.key,
      scorePath: made.stillClipPath,
      modelUrl: made.modelUrl,
      ...(made.expiresAt !== undefined ? { expiresAt: made.expiresAt } : {}),
    });
    next = await judgeKeyframe(attempts, verdicts, drifts, acts, id);
    if (next === 'animate' && attempts.keyframe.storyboardHolds) next = await onStoryboard(attempts, id);
    // the clip is a prediction of its own: it waits for a slot as any other does
    if (next === 'animate' && attempts.slotPerPrediction && !(await takeSlot(attempts, id))) next = 'stop';
    if (next === 'animate') await renewExpiringKeyframe(attempts, acts, id, call.attempt);
    toClip = next === 'animate';
    return next;
  } finally {
    if (!toClip) attempts.keyframe.releaseUnusedClip(id);
  }
}

async function judgeKeyframe(
  attempts: SceneAttempts,
  verdicts: GateVerdicts,
  drifts: DriftVerdicts,
  acts: GenerationActivities,
  id: string
): Promise<AfterKeyframe> {
  if (attempts.scene(id).isGate && verdicts.judging) {
    const judged = await judgeGateAttempt(attempts, verdicts, acts, id, 'keyframe');
    if (judged.verdict === 'stop') return 'stop';
    if (judged.verdict === 'miss') {
      if (verdicts.missed(id, judged.note) === 'again') return 'again';
      if (!(await gateExhausted(attempts, verdicts, id))) return 'stop';
    }
    verdicts.keyframePassed(id);
    return 'animate';
  }
  if (!drifts.wantsKeyframe(id)) return 'animate';
  const checked = await checkScene(attempts, drifts, acts, id, 'keyframe');
  return checked === 'keep' ? 'animate' : checked;
}

/** The keyframe waits on the storyboard until a person releases it or has it made again. */
async function onStoryboard(attempts: SceneAttempts, id: string): Promise<AfterKeyframe> {
  attempts.keyframe.toStoryboard(id);
  const answered = await condition(
    () => attempts.keyframe.storyboardAnswered(id),
    durationMs(attempts.plan.gate.approvalTimeout),
    { summary: `the storyboard's release, with scene ${id}'s keyframe: gate.approvalTimeout` }
  );
  return attempts.keyframe.leaveStoryboard(id, answered);
}
