import type { PrepareGenerationResult } from '../../schema/activities';
import type { ConsistencyCheck } from '../../schema/progress';
import type { DriftStep, GroupFrames, SceneDecision } from './consistency-checks';
import type { GenerationParts } from './generation-parts';

/**
 * The consistency check's verdicts on a scene's clip once the gate is done with it: scored
 * with the gate's scorer; a drift is made again (as a gate miss would be), put to a person, or
 * flagged, as `consistency.onDrift` says. The check driver (check-scene.ts) calls one method
 * per step, and each records its change.
 */
export class DriftVerdicts {
  constructor(private readonly g: GenerationParts) {}

  /** True when the plan asks for the check on this scene and the gate does not judge it now. */
  wants(id: string): boolean {
    const run = this.g.scene(id);
    return this.g.checks.includes(id) && !(run.isGate && this.g.gate.judging);
  }
  /** True when the scene's new keyframe is checked before its clip is paid for, and the gate does not judge it now. */
  wantsKeyframe(id: string): boolean {
    const run = this.g.scene(id);
    return this.g.checks.checksKeyframe(id) && !(run.isGate && this.g.gate.judging);
  }
  get threshold(): number {
    return this.g.checks.threshold;
  }
  /** The scorer preparation resolved for the gate; the check uses it too (see check-scorer.ts). */
  get gateScorer(): PrepareGenerationResult['scorer'] {
    return this.g.prepared().scorer;
  }
  answerFor(id: string): SceneDecision | undefined {
    return this.g.checks.answerFor(id);
  }

  /** The check scores the latest clip. */
  startChecking(id: string): void {
    this.g.scene(id).scoring();
    this.g.record();
  }

  /** The latest clip or keyframe was scored (each group by its best reference): pass, or drift and what it leads to. */
  scored(
    id: string,
    byGroup: Record<string, number>,
    of: 'keyframe' | 'clip' = 'clip',
    frames?: GroupFrames
  ): { verdict: ConsistencyCheck['verdict']; next: DriftStep } {
    const run = this.g.scene(id);
    const check = this.g.checks.record(id, run.attempts, byGroup, of, frames);
    run.scored(check.score);
    this.g.record();
    return { verdict: check.verdict, next: check.verdict === 'pass' ? 'flag' : this.g.checks.nextStep(id) };
  }

  /** A drifted scene is made again, one step stronger (the gate's escalation), while its checked attempts last. */
  regenerate(id: string, note: string): void {
    const { strengthStep, reseedOnFail } = this.g.plan.gate;
    this.g.checks.settle(id, 'regenerated');
    this.g.scene(id).drifted(note, strengthStep, reseedOnFail);
    this.g.record();
  }

  /** A drifted scene keeps its clip and is named in the result. */
  flag(id: string): void {
    this.g.checks.settle(id, 'flagged');
    this.g.record();
  }

  /** A drifted scene waits for a person (`approveScene` or `rejectScene`). */
  askPerson(id: string): void {
    this.g.checks.ask(id);
    this.g.record();
  }

  /**
   * A scene stops waiting for a person: approved, it keeps its clip; rejected, it is made again
   * while its checked attempts last (else flagged); with no answer in time, it is flagged.
   * Returns what follows: the scene succeeds (`keep`), is made again, or the run stopped.
   */
  endAsk(id: string): 'keep' | 'regenerate' | 'stop' {
    const answer = this.g.checks.endAsk(id);
    if (this.g.stop()) {
      this.g.record();
      return 'stop';
    }
    if (answer?.approved) {
      this.g.checks.settle(id, 'approved');
      this.g.record();
      return 'keep';
    }
    if (answer && this.g.checks.mayRegenerate(id)) {
      this.regenerate(id, `rejected by a person: ${answer.text}`);
      this.g.checks.settle(id, 'rejected');
      return 'regenerate';
    }
    this.flag(id);
    return 'keep';
  }
}
