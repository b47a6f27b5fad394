import type { RenewedKeyframe } from '../../schema/activities';
import { FailureType } from '../../schema/failures';
import { durationMs } from '../../schema/plan';
import { clipCallSpec } from './call-specs';
import type { Keyframe } from './attempt-record';
import type { GenerationParts } from './generation-parts';
import type { PaidCall } from './paid-calls';
import { expiresWithin } from './reference-expiry';

/**
 * The second half of a `pipeline: keyframe` attempt: the keyframe it made, its clip animating
 * that keyframe on the money reserved with it, or that money given back when the attempt ended
 * before its clip started (a failed, drifted or cancelled keyframe).
 */
export class KeyframeSteps {
  constructor(
    private readonly g: Pick<
      GenerationParts,
      'plan' | 'scene' | 'calls' | 'budget' | 'gate' | 'storyboard' | 'prepared' | 'stop' | 'halt' | 'record' | 'now'
    >
  ) {}

  /** True while keyframes that passed wait on the storyboard for a person before their clips. */
  get storyboardHolds(): boolean {
    return this.g.storyboard.holding;
  }

  /** The latest attempt's keyframe passed and goes on the storyboard, for a person to see before its clip. */
  toStoryboard(id: string): void {
    this.g.storyboard.arrive(id);
    this.g.record();
  }

  /** True once the scene's keyframe may leave the storyboard: released, made again, or the generation stopped. */
  storyboardAnswered(id: string): boolean {
    return !this.g.storyboard.holding || this.g.storyboard.redoOf(id) !== undefined || this.g.stop() !== null;
  }

  /**
   * The scene's keyframe leaves the storyboard: to its clip once released; made again one step
   * stronger on a person's redo (a new seed with `gate.reseedOnFail`), without using up the scene's
   * attempts; `stop` when the generation stopped or nobody released it within `gate.approvalTimeout`.
   */
  leaveStoryboard(id: string, answered: boolean): 'animate' | 'again' | 'stop' {
    const redo = this.g.storyboard.redoOf(id);
    this.g.storyboard.leave(id);
    let next: 'animate' | 'again' | 'stop' = 'animate';
    if (this.g.stop()) next = 'stop';
    else if (redo !== undefined) {
      const { strengthStep, reseedOnFail } = this.g.plan.gate;
      this.g.scene(id).drifted(`keyframe redone from the storyboard: ${redo}`, strengthStep, reseedOnFail);
      next = 'again';
    } else if (!answered) {
      const within = String(this.g.plan.gate.approvalTimeout);
      const message = `nobody released the storyboard within ${within} (gate.approvalTimeout)`;
      this.g.halt({ type: FailureType.GateFailed, message });
      next = 'stop';
    }
    this.g.record();
    return next;
  }

  /** The latest attempt made its keyframe; it is judged before its clip is paid for. */
  made(id: string, keyframe: Keyframe): void {
    this.g.scene(id).keyframed(keyframe);
    this.g.record();
  }

  /**
   * The latest attempt's keyframe when its URL could expire before the clip's model fetches it (a
   * storyboard or a budget wait held it past its life): it is published again first. Null when not.
   */
  expiring(id: string): Keyframe | null {
    const keyframe = this.g.scene(id).latest?.keyframe;
    const attemptMs = durationMs(this.g.plan.timeouts.sceneAttempt);
    return keyframe && expiresWithin(keyframe.expiresAt, this.g.now(), attemptMs) ? keyframe : null;
  }

  /** The latest attempt's keyframe was published again: its clip is made from the new URL. */
  renewed(id: string, fresh: RenewedKeyframe): void {
    const attempt = this.g.scene(id).latest!;
    const { expiresAt: _old, ...keyframe } = attempt.keyframe!;
    attempt.keyframe = { ...keyframe, ...fresh };
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
