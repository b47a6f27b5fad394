import { FailureType } from '../../schema/failures';
import type { SceneOverrides } from '../../schema/plan';
import type { GateDecision } from './gate';
import { plural, type GenerationParts } from './generation-parts';

/**
 * What people do to a running generation through its messages: money (signals raiseBudget and
 * setBudget), the gate's decision, a failed scene's retry or skip, an abort (updates). Each
 * update's validator calls a `refuse…` rule, so a refused update never enters history; each
 * handler calls one method, which records its change and answers in a sentence.
 */
export class OperatorActions {
  constructor(private readonly g: GenerationParts) {}

  /** Signal raiseBudget: adds to the limit; waiting calls that now fit start. */
  raiseBudget(amountUsd: number): string {
    const limit = this.g.budget.raise(amountUsd, this.g.now());
    this.g.record();
    return `budget raised by ${amountUsd} USD to ${limit} USD`;
  }

  /** Signal setBudget: replaces the limit; waiting calls that now fit start. */
  setBudget(limitUsd: number): string {
    const limit = this.g.budget.setLimit(limitUsd, this.g.now());
    this.g.record();
    return `budget set to ${limit} USD`;
  }

  /** Why a gate decision is refused now, or null. */
  refuseGateDecision(): string | null {
    return this.g.gate.refuseDecision();
  }

  /** Update approveGate / rejectGate: answers every gate scene waiting for a person. */
  decideGate(decision: GateDecision): string {
    const scenes = this.g.gate.decide(decision);
    this.g.instruments.gateVerdict(decision.approved ? 'approved' : 'rejected');
    this.g.record();
    const label = `scene${scenes.length > 1 ? 's' : ''} ${scenes.join(', ')}`;
    if (decision.approved) return `gate approved for ${label}`;
    const manual = this.g.prepared().scorer === 'manual';
    const next = scenes.map((id) => {
      const run = this.g.scene(id);
      return this.g.gate.afterRejection(id, run.gateMisses, run.latest!.strength, manual);
    });
    return `gate rejected for ${label}; ${next.join('; ')}`;
  }

  /** Why a decision on a drifted scene is refused now, or null. */
  refuseSceneDecision(id: string): string | null {
    if (!this.g.order.includes(id)) return `there is no scene "${id}" (scenes: ${this.g.order.join(', ')})`;
    return this.g.checks.refuseDecision(id);
  }

  /** Update approveScene / rejectScene: answers a scene that drifted and waits for a person. */
  decideScene(id: string, decision: { approved: boolean; text: string }): string {
    this.g.checks.decide(id, decision);
    this.g.record();
    if (decision.approved) return `scene ${id} keeps its clip (approved: ${decision.text})`;
    return this.g.checks.mayRegenerate(id)
      ? `scene ${id} is made again one step stronger`
      : `scene ${id} used its ${plural(this.g.plan.gate.maxAttempts, 'checked attempt')} (gate.maxAttempts): its clip is kept and flagged`;
  }

  /** Why a release of the storyboard is refused now, or null. */
  refuseStoryboardRelease(): string | null {
    return this.g.storyboard.refuseRelease(this.g.keyframesStillComing());
  }

  /** Update releaseStoryboard: every keyframe on the storyboard goes on to its clip. */
  releaseStoryboard(note: string): string {
    const scenes = this.g.storyboard.sceneIds;
    this.g.storyboard.release(note);
    this.g.record();
    return `storyboard released: ${plural(scenes.length, 'keyframe')} (${scenes.join(', ')}) go on to their clips`;
  }

  /** Why a redo of a scene's keyframe is refused now, or null. */
  refuseKeyframeRedo(id: string): string | null {
    if (!this.g.order.includes(id)) return `there is no scene "${id}" (scenes: ${this.g.order.join(', ')})`;
    return this.g.storyboard.refuseRedo(id);
  }

  /** Update redoKeyframe: the scene's keyframe on the storyboard is made again, one step stronger. */
  redoKeyframe(id: string, reason: string): string {
    this.g.storyboard.redo(id, reason);
    this.g.record();
    return `scene ${id}'s keyframe is made again one step stronger (${reason}); it comes back to the storyboard`;
  }

  /** Why an operator's retry or skip of a scene is refused now, or null. */
  refuseSceneAction(id: string, action: 'retried' | 'skipped'): string | null {
    if (!this.g.order.includes(id)) return `there is no scene "${id}" (scenes: ${this.g.order.join(', ')})`;
    const stopping = this.g.stop() !== null;
    if (this.g.finished() || this.g.assembling() || stopping) {
      return `the generation is ${stopping ? 'stopping' : this.g.assembling() ? 'assembling' : this.g.status()}`;
    }
    const run = this.g.scene(id);
    const refusal = run.refuseOperatorAction(action);
    if (refusal) return refusal;
    if (action === 'skipped' && run.isGate && this.g.gate.judging) {
      return `scene ${id} is a gate scene; approve or reject the gate instead`;
    }
    return null;
  }

  /** Update retryScene: a failed scene gets new attempts, optionally changed. */
  retryScene(id: string, overrides: SceneOverrides | undefined): string {
    const extra = this.g.plan.retry.maxAttemptsPerScene;
    const changes = this.g.scene(id).retry(extra, overrides);
    this.g.scheduler.mark(id, 'waiting');
    this.g.record();
    const changed = changes.length ? ` with ${changes.join(', ')}` : '';
    return `scene ${id} queued for up to ${plural(extra, 'more attempt')}${changed}`;
  }

  /** Update skipScene: a failed scene is left out of the video. */
  skipScene(id: string): string {
    this.g.scene(id).skip();
    this.g.record();
    return `scene ${id} skipped; the video will be made without it`;
  }

  /** Why an abort is refused now, or null. */
  refuseAbort(): string | null {
    const assembling = this.g.assembling();
    if (this.g.finished() || assembling) return `the generation is ${assembling ? 'assembling' : this.g.status()}`;
    const stop = this.g.stop();
    if (stop) return `the generation is already stopping (${stop.message})`;
    return null;
  }

  /** Update abort: the generation stops and fails as Aborted. */
  abort(reason: string): string {
    const inFlight = this.g.inFlight();
    this.g.halt({ type: FailureType.Aborted, message: `aborted by an operator: ${reason}` });
    return `aborting; ${plural(inFlight, 'scene')} in flight being cancelled`;
  }
}
