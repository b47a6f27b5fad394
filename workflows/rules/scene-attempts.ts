import type { PreparedReference } from '../../schema/activities';
import { clipText, NOTE_MAX } from '../../schema/error-text';
import { FailureType } from '../../schema/failures';
import type { Plan } from '../../schema/plan';
import type { PredictionSnapshot } from '../../schema/prediction';
import type { BudgetClaim } from './budget-admission';
import { clipCallSpec, clipEstimateUsd, keyframeCallSpec, keyframeEstimateUsd } from './call-specs';
import { plural, type GenerationParts, type SceneView, type StopReason } from './generation-parts';
import type { CallState, PaidCall } from './paid-calls';
import { ReferenceRenewal } from './reference-renewal';
import { ScoreCalls } from './score-calls';
import type { Clip } from './attempt-record';
import { KeyframeSteps } from './keyframe-steps';
import type { SlotState } from './scheduler';

/**
 * The rules of a generation's scene attempts: a scene waits for a slot and for money; each attempt
 * is a sequence of paid calls claimed, opened, created, observed and booked in `PaidCalls`; a scene
 * out of attempts follows the plan's failure policy. Drivers call one method per step, each recording its change.
 */
export class SceneAttempts {
  /** Re-uploads of references whose URLs could expire during an attempt. */
  readonly renewal: ReferenceRenewal;
  /** At a CLIP gate or check, the tries at scoring a clip. */
  readonly scores: ScoreCalls;
  /** With `pipeline: keyframe`, an attempt's keyframe and the clip that animates it. */
  readonly keyframe: KeyframeSteps;

  constructor(private readonly g: GenerationParts) {
    this.renewal = new ReferenceRenewal(g);
    this.scores = new ScoreCalls(g, (id) => this.referencesOf(id));
    this.keyframe = new KeyframeSteps(g);
  }

  get plan(): Plan {
    return this.g.plan;
  }
  get generationId(): string {
    return this.g.generationId;
  }
  scene(id: string): SceneView {
    return this.g.scene(id);
  }
  slotOf(id: string): SlotState | undefined {
    return this.g.scheduler.stateOf(id);
  }
  /** Each attempt makes a keyframe first and animates it (`pipeline: keyframe`). */
  get keyframes(): boolean {
    return this.g.prepared().keyframeModel != null;
  }
  get slotPerPrediction(): boolean {
    return this.g.slotPerPrediction;
  }
  /** Predictions without a webhook are read promptly (`readSchedule`). */
  get promptReads(): boolean {
    return this.g.promptReads;
  }
  get stop(): StopReason | null {
    return this.g.stop();
  }
  /** True once a claim that waited for money holds its reservation. */
  isGranted(key: string): boolean {
    return this.g.budget.isGranted(key);
  }
  /** When the wait for money ends (ms since the epoch), or null while nobody waits. */
  get moneyDeadline(): number | null {
    return this.g.budget.deadline;
  }
  call(key: string): Readonly<CallState> | undefined {
    return this.g.calls.get(key);
  }
  final(key: string): PredictionSnapshot | null {
    return this.g.calls.final(key);
  }
  knownIds(): string[] {
    return this.g.calls.knownIds();
  }
  /** The references of the groups a scene shows. */
  referencesOf(id: string): PreparedReference[] {
    const entities = new Set(this.g.scene(id).scene.entities);
    return this.g.prepared().references.filter((r) => entities.has(r.groupId));
  }

  /** Stops the generation for `reason` (the first reason wins): every scene in flight is cancelled. */
  halt(reason: StopReason): void {
    this.g.halt(reason);
  }

  // ---- slots and money

  /** Scenes the strategy lets start a prediction now, in the order they should start. */
  startable(): string[] {
    return this.g.scheduler.startable();
  }

  /** A scene takes its slot: its task starts, or (`resumed`) its waiting task goes on with its next attempt. */
  takeSlot(id: string, resumed: boolean): void {
    this.g.scheduler.mark(id, 'running');
    if (resumed) this.g.record();
    else this.g.recordNew();
  }

  /** A scene's task ended, however: it holds no slot and nothing more runs for it. */
  sceneSettled(id: string): void {
    this.g.scheduler.mark(id, 'settled');
    this.g.record();
  }

  /** The scene waits for its next attempt (a slot, money, or its retry). */
  queue(id: string): void {
    this.g.scene(id).queue();
    this.g.recordNew();
  }

  /** A scene whose prediction ended needs another attempt: it waits for a slot again. */
  needsSlot(id: string): void {
    if (this.g.scheduler.stateOf(id) !== 'finishing') return;
    this.g.scheduler.mark(id, 'waiting');
    this.g.record();
  }

  /** The latest attempt's prediction ended: its slot frees for the next scene while its clip is collected. */
  predictionEnded(id: string): void {
    if (!this.g.slotPerPrediction || this.g.scheduler.stateOf(id) !== 'running') return;
    this.g.scheduler.mark(id, 'finishing');
    this.g.record();
  }

  /**
   * The money the scene's next attempt asks for: its clip's cost at most, and its keyframe's
   * with `pipeline: keyframe`. Both are reserved before the keyframe starts, so no keyframe is
   * made whose clip could not be paid for; the keyframe's part is split off when it opens.
   */
  clipClaim(id: string): BudgetClaim {
    const run = this.g.scene(id);
    const place = { sceneId: id, attempt: run.attempts + 1, step: 'clip', try: 1 } as const;
    const { model, keyframeModel } = this.g.prepared();
    const keyframe = keyframeModel ? keyframeEstimateUsd(keyframeModel, run.scene) : 0;
    return this.g.calls.claim(place, clipEstimateUsd(model, run.scene) + keyframe);
  }

  /** Asks for money for one paid call: reserved now, waiting in line, or refused (the generation then fails). */
  requestBudget(claim: BudgetClaim): 'reserved' | 'waiting' | 'refused' {
    const answer = this.g.budget.request(claim, this.g.now());
    if (answer === 'refused') {
      this.g.halt({ type: FailureType.BudgetExceeded, message: this.g.budget.shortfall(claim) });
    } else if (answer === 'waiting') this.g.record();
    else this.g.recordNew();
    return answer;
  }

  /** A scene stops waiting for money; out of time, the generation fails. True when its claim holds money to spend. */
  endMoneyWait(claim: BudgetClaim): boolean {
    const end = this.g.budget.endWait(claim, this.g.stop() !== null);
    if (end === 'timed-out') {
      const message = `${this.g.budget.shortfall(claim)}; no more budget came within ${String(this.g.plan.budget.waitTimeout)}`;
      this.g.halt({ type: FailureType.BudgetExceeded, message });
    } else if (end === 'spend') this.g.record();
    else this.g.recordNew();
    return end === 'spend';
  }

  // ---- paid calls

  /**
   * A scene attempt begins with its first paid call, its money reserved under `clipClaim`'s key:
   * its clip's, or with `pipeline: keyframe` its keyframe's (the attempt's strength is the image
   * model's scale), whose part of the money is split off under its own key.
   */
  beginAttempt(id: string): PaidCall {
    const run = this.g.scene(id);
    const { model, keyframeModel, references } = this.g.prepared();
    const strength = run.nextStrength(this.g.gate.strengthOf(run.scene.entities));
    const attempt = run.begin(strength, run.nextSeed(this.g.gate.seed), this.g.now(), keyframeModel != null);
    // a scene the consistency check found drifted escalates as a gate miss would, one step per drift
    const escalation = this.g.gate.escalationOf(run.scene.entities) + run.driftMisses;
    const clipPlace = { sceneId: id, attempt: attempt.n, step: 'clip', try: 1 } as const;
    let call: PaidCall;
    if (keyframeModel) {
      const place = { ...clipPlace, step: 'keyframe' } as const;
      const estimate = keyframeEstimateUsd(keyframeModel, run.scene);
      this.g.budget.split(this.g.calls.claim(clipPlace, 0).key, this.g.calls.claim(place, estimate).key, estimate);
      const spec = keyframeCallSpec(keyframeModel, this.g.plan, run.scene, references, { ...attempt, escalation });
      call = this.g.calls.open(place, spec);
    } else {
      call = this.g.calls.open(
        clipPlace,
        clipCallSpec(model, this.g.plan, run.scene, references, { ...attempt, escalation })
      );
    }
    this.g.record();
    return call;
  }

  /** A paid call's prediction exists: its id goes into the record before anything waits on it. */
  callCreated(key: string, prediction: PredictionSnapshot, webhook: boolean): void {
    this.g.calls.created(key, prediction, webhook);
    this.g.record();
  }

  /** A webhook's signal: the end it reports, to be confirmed by a read (`reportedEnd`). */
  predictionObserved(key: string, prediction: PredictionSnapshot): void {
    if (this.g.calls.report(key, prediction)) this.g.record();
  }

  /** Replicate's answer to a read or a cancel: the prediction's end, if it ended. */
  predictionRead(key: string, prediction: PredictionSnapshot): void {
    if (this.g.calls.observe(key, prediction)) this.g.record();
  }

  /** Whether a webhook reported an end for the call before its create's answer came. */
  hasEarlyReport(key: string): boolean {
    return this.g.calls.hasEarlyReport(key);
  }

  /** The create answered: an end reported before it, of this call's prediction, now counts (`PaidCalls.takeEarlyReport`). */
  takeEarlyReport(key: string): void {
    if (this.g.calls.takeEarlyReport(key)) this.g.record();
  }

  /** The end a webhook reported for a call, not yet confirmed. */
  reportedEnd(key: string): PredictionSnapshot | null {
    return this.g.calls.reported(key);
  }

  /** A reported end is about to be checked with a read; a report arriving meanwhile counts again. */
  checkingReport(key: string): void {
    this.g.calls.takeReport(key);
  }

  /**
   * A run begun before ends were confirmed takes the reported end as final, as it did then;
   * unrecorded, since the report's signal was.
   */
  trustReport(key: string): void {
    const reported = this.g.calls.takeReport(key);
    if (reported) this.g.calls.observe(key, reported);
  }

  /** Books what a paid call cost; money it did not use may let a waiting call start. */
  bookCall(key: string): number {
    const cost = this.g.calls.book(key);
    this.g.recordNew();
    return cost;
  }

  // ---- how an attempt ends

  /** The latest attempt made a clip. */
  produced(id: string, clip: Clip): void {
    this.g.scene(id).produced(clip, this.g.now());
    this.g.record();
  }

  /** The latest attempt failed; `permanent`: no further attempt can help (a bad input, an unknown model). */
  failed(id: string, failure: { error: string; permanent: boolean }): void {
    const run = this.g.scene(id);
    // every note goes into the memo and the failure's details: bounded whatever failed
    run.failed(clipText(failure.error, NOTE_MAX), this.g.now());
    if (failure.permanent) run.noMoreAttempts();
    this.g.record();
  }

  /** The latest attempt was cancelled with the generation (its cost already booked). */
  cancelled(id: string): void {
    this.g.scene(id).cancelled(this.g.now());
    this.g.record();
  }

  /** The scene has its clip. */
  succeeded(id: string): void {
    const run = this.g.scene(id);
    run.succeed();
    const began = run.history[0]?.startedAt;
    if (began !== undefined) this.g.instruments.sceneDone(this.g.prepared().model.id, (this.g.now() - began) / 1000);
    this.g.record();
  }

  /** A scene used all its attempts: the plan's failure policy applies. */
  exhausted(id: string): void {
    const run = this.g.scene(id);
    const policy = this.g.plan.onSceneFailure;
    const why = `scene ${id} failed after ${plural(run.attempts, 'attempt')}: ${run.lastError ?? 'unknown error'}`;
    run.giveUp(policy);
    if (policy === 'fail-fast') this.g.halt({ type: FailureType.SceneFailed, message: why });
    // without its gate scene the references were never checked: nothing else may run
    else if (policy === 'continue' && run.isGate) this.g.halt({ type: FailureType.GateFailed, message: why });
    this.g.record();
  }
}
