import { clipCallSpec } from './call-specs';
import type { Keyframe } from './attempt-record';
import type { GenerationParts } from './generation-parts';
import type { PaidCall } from './paid-calls';

/**
 * The second half of a `pipeline: keyframe` attempt: the keyframe it made, its clip animating
 * that keyframe on the money reserved with it, or that money given back when the attempt ended
 * before its clip started (a failed, drifted or cancelled keyframe).
 */
export class KeyframeSteps {
  constructor(
    private readonly g: Pick<GenerationParts, 'plan' | 'scene' | 'calls' | 'budget' | 'gate' | 'prepared' | 'record'>
  ) {}

  /** The latest attempt made its keyframe; it is judged before its clip is paid for. */
  made(id: string, keyframe: Keyframe): void {
    this.g.scene(id).keyframed(keyframe);
    this.g.record();
  }

  /** The latest attempt's keyframe passed: its clip's paid call animates it, on the money `clipClaim` reserved. */
  animate(id: string): PaidCall {
    const run = this.g.scene(id);
    run.animating();
    const attempt = run.latest!;
    const { model, references } = this.g.prepared();
    const escalation = this.g.gate.escalationOf(run.scene.entities) + run.driftMisses;
    const spec = clipCallSpec(
      model,
      this.g.plan,
      run.scene,
      references,
      { ...attempt, escalation },
      attempt.keyframe!.modelUrl
    );
    const call = this.g.calls.open(this.clipPlace(id), spec);
    this.g.record();
    return call;
  }

  /** An attempt that ended before its clip started gives back the clip's money it reserved. */
  releaseUnusedClip(id: string): void {
    const { key } = this.g.calls.claim(this.clipPlace(id), 0);
    if (this.g.calls.get(key) || !this.g.budget.holds(key)) return;
    this.g.budget.settle(key, 0);
    this.g.record();
  }

  private clipPlace(id: string) {
    return { sceneId: id, attempt: this.g.scene(id).attempts, step: 'clip', try: 1 } as const;
  }
}
