import { patched } from '@temporalio/workflow';
import type { GenerationActivities } from './activity-options';
import { attemptStep } from './attempt-step';
import { CHECK_EVERY_SCENE, checkScene } from './check-scene';
import { gateExhausted, judgeGateAttempt } from './judge-gate';
import { keyframeFirst } from './keyframe-first';
import { reserve } from './paid-call';
import { renewExpiringReferences } from './renew-references';
import type { DriftVerdicts } from './rules/drift-verdicts';
import type { GateVerdicts } from './rules/gate-verdicts';
import type { SceneAttempts } from './rules/scene-attempts';
import { takeSlot } from './scene-slot';

/**
 * Runs one scene until it has a clip, or has used its attempts. Each attempt waits for a slot
 * and for money, then runs its paid calls; a failed one is paid and tried again, a gate scene's
 * clip is judged and, when it misses, made again with stronger references; after the gate, a
 * scene the plan's consistency check covers is scored and, when it drifted, handled as
 * `consistency.onDrift` says. With `pipeline: keyframe` an attempt makes and judges its
 * keyframe first (keyframe-first.ts), and the gate judges keyframes, not clips. Rejects only
 * when cancelled.
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
    let call = attempts.beginAttempt(id);
    if (attempts.keyframes) {
      const next = await keyframeFirst(attempts, verdicts, drifts, acts, call);
      if (next === 'stop') return;
      if (next === 'again') continue;
      call = attempts.keyframe.animate(id);
    }
    const clip = await attemptStep(
      attempts,
      call,
      (prediction) =>
        acts.collectClip.executeWithOptions(
          { summary: `scene ${id} attempt ${call.attempt}: collect the clip of prediction ${prediction.id}` },
          [{ generationId: attempts.generationId, sceneId: id, attempt: call.attempt, prediction }]
        ),
      acts
    );
    if (!clip) continue;
    attempts.produced(id, clip);

    if (run.isGate && verdicts.judging && !attempts.keyframes) {
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
