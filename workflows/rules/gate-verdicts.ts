import type { PrepareGenerationResult } from '../../schema/activities';
import { FailureType } from '../../schema/failures';
import type { GateDecision } from './gate';
import type { GenerationParts } from './generation-parts';

/**
 * The gate's verdicts on a gate scene's clips: scored by a scorer, or judged by a person (the
 * manual scorer, or after every attempt missed); a miss makes the scene's groups stronger for
 * every later attempt. The gate driver (judge-gate.ts) calls one method per step, and each
 * records its change.
 */
export class GateVerdicts {
  constructor(private readonly g: GenerationParts) {}

  /** True while gate clips are judged (before the gate passed or failed, or when it is disabled). */
  get judging(): boolean {
    return this.g.gate.judging;
  }
  get scorer(): PrepareGenerationResult['scorer'] {
    return this.g.prepared().scorer;
  }
  /** A person's answer to a gate scene waiting for one, once given. */
  answerFor(id: string): GateDecision | undefined {
    return this.g.gate.answerFor(id);
  }
  /** Why the manual gate failed: every rejection with its attempt and strength. */
  get rejections(): string {
    return this.g.gate.rejectionSummary;
  }
  /** The scores a gate scene got, for a failure message. */
  scoresOf(id: string): string {
    return this.g.gate.scoresOf(id);
  }

  /** The gate judges the latest clip: a scorer scores it, or (the manual scorer) a person is asked. */
  startJudging(id: string): void {
    this.g.scene(id).scoring();
    if (this.scorer === 'manual') this.g.gate.ask(id);
    this.g.record();
  }

  /** A gate clip was scored (`unseen`: groups the scorer found in no frame). */
  scored(id: string, score: number, unseen: string[] = []): 'pass' | 'miss' {
    const run = this.g.scene(id);
    const rounded = Math.round(score * 1000) / 1000;
    run.scored(rounded);
    const verdict = this.g.gate.score(id, run.attempts, run.latest!.strength, rounded, unseen);
    this.g.instruments.gateVerdict(verdict);
    this.g.record();
    return verdict;
  }

  /** A gate attempt missed (`note`: a person's reason): stronger references next, while attempts last. */
  missed(id: string, note: string | null): 'again' | 'exhausted' {
    const run = this.g.scene(id);
    this.g.gate.miss(run.scene.entities);
    const next = run.missed(note, this.g.plan.gate.maxAttempts, this.g.plan.gate.strengthStep);
    this.g.record();
    return next;
  }

  /** A gate scene's keyframe passed: the other scenes need not wait for its clip. */
  keyframePassed(id: string): void {
    this.g.gate.clear(id);
    this.g.record();
  }

  /** A person approved the last clip of a gate scene that missed on every attempt: what follows is made as it was. */
  keepApproved(id: string): void {
    this.g.gate.keepApproved(this.g.scene(id).scene.entities);
    this.g.record();
  }

  /** A gate scene that missed on every attempt waits for a person. */
  askPerson(id: string): void {
    this.g.gate.ask(id);
    this.g.record();
  }

  /** A gate scene stops waiting for a person: the answer, or null when it stopped or none came in time (then the generation fails). */
  endAsk(id: string, answered: boolean): GateDecision | null {
    const answer = this.g.gate.endAsk(id);
    if (!answered && !this.g.stop()) {
      const within = String(this.g.plan.gate.approvalTimeout);
      this.g.halt({ type: FailureType.GateFailed, message: `nobody approved or rejected the gate within ${within}` });
    }
    if (answer && !this.g.stop()) {
      const run = this.g.scene(id);
      if (answer.approved) this.g.gate.approved();
      else this.g.gate.rejected(run.attempts, run.latest!.strength, answer.text);
    }
    this.g.record();
    return this.g.stop() ? null : answer;
  }
}
