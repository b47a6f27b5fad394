import type { PrepareGenerationResult, PreparedReference } from '../schema/activities';
import { estimateCostUsd, type ModelEntry } from '../schema/catalogue';
import { outputSeconds, toModelInput, typicalRunMs } from '../schema/model-input';
import type { PredictionSnapshot } from '../schema/prediction';
import { FailureType } from '../schema/failures';
import { durationMs, type Plan, type SceneOverrides } from '../schema/plan';
import { finishedStatuses, type FinalState, type GenerationStatus, type Progress } from '../schema/progress';
import { BudgetAdmission, type BudgetClaim } from './budget-admission';
import { BudgetLedger } from './budget-ledger';
import { Gate, type GateDecision } from './gate';
import { noInstruments, type Instruments } from './instruments';
import { PaidCalls, type PaidCall } from './paid-calls';
import { SceneRun, type Clip } from './scene-run';
import { SceneScheduler } from './scheduler';
import { reportFinalState, reportProgress, type GenerationView } from './progress-report';
import { deriveStatus, type DerivedStatus } from './status';

/** Why the generation is stopping early: the failure it will end with. */
export interface StopReason {
  type: string;
  message: string;
}

/** How the workflow around a generation hears of it. */
export interface GenerationHooks {
  /** Something changed (the workflow may publish the progress now, or once per activation). */
  changed(): void;
  /** The generation started stopping: every scene in flight is cancelled. */
  stopping(): void;
  /** How many scene tasks run now. */
  inFlight(): number;
  /** Where the generation's metrics go; none unless given. */
  instruments?: Instruments;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * One generation's state and every rule that reads or changes it, without Temporal: the
 * workflow drives it, its message handlers call one method each, and unit tests exercise it
 * directly. The rules themselves live in the parts it holds: the budget ledger and admission,
 * the gate, each scene's lifecycle, the scheduler and the status derivation.
 */
export class Generation {
  readonly ledger: BudgetLedger;
  readonly admission: BudgetAdmission;
  readonly gate: Gate;
  readonly scheduler: SceneScheduler;
  readonly calls: PaidCalls;
  readonly order: readonly string[];
  private readonly scenes = new Map<string, SceneRun>();
  private readonly moneyWaits = new Map<string, number>();
  private state: GenerationStatus = 'preparing';
  private stopReason: StopReason | null = null;
  private preparation: PrepareGenerationResult | null = null;
  private assembling = false;
  private waits: DerivedStatus = { status: 'preparing', waitingFor: null, waitingOn: [] };
  /** The status is derived again when next read, once however many changes came before. */
  private dirty = true;
  /** Bumped on every change; the driver waits on it. */
  version = 0;
  private updatedAt: number;
  private readonly instruments: Instruments;

  constructor(
    readonly plan: Plan,
    readonly generationId: string,
    private readonly startedAt: number,
    private readonly hooks: GenerationHooks,
    /**
     * A scene gives its slot back when its prediction ends, not once its clip is in: the next
     * scene's prediction starts while the clip downloads (runs recorded before this held it).
     */
    readonly slotPerPrediction = false
  ) {
    this.ledger = new BudgetLedger(plan.budget.limitUsd);
    this.admission = new BudgetAdmission(this.ledger, durationMs(plan.budget.waitTimeout));
    this.gate = new Gate(plan);
    this.scheduler = new SceneScheduler(plan.strategy);
    this.instruments = hooks.instruments ?? noInstruments;
    this.calls = new PaidCalls(this.ledger, this.instruments);
    this.updatedAt = startedAt;
    plan.scenes.forEach((scene, i) => {
      this.scenes.set(
        scene.id,
        new SceneRun(scene, i + 1, this.gate.includes(scene.id), plan.retry.maxAttemptsPerScene)
      );
    });
    this.order = plan.scenes.map((s) => s.id);
  }

  // ---- what the driver and scene tasks read

  get status(): GenerationStatus {
    this.fresh();
    return this.state;
  }
  get stop(): StopReason | null {
    return this.stopReason;
  }
  get finished(): boolean {
    return finishedStatuses.includes(this.state);
  }
  get prepared(): PrepareGenerationResult | null {
    return this.preparation;
  }
  scene(id: string): SceneRun {
    const run = this.scenes.get(id);
    if (!run) throw new Error(`unknown scene ${id}`);
    return run;
  }

  /** Records a change: bumps the version (the driver waits on it) and tells the workflow. */
  touch(now: number): void {
    this.version++;
    this.updatedAt = now;
    this.dirty = true;
    this.hooks.changed();
  }

  private fresh(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.refreshStatus();
  }

  // ---- preparation, release, assembly

  /** References are checked and uploaded, and the model priced: the gate scenes (or all scenes) may start. */
  prepare(prepared: PrepareGenerationResult, now: number): void {
    this.preparation = prepared;
    const gated = this.gate.sceneIds.length > 0;
    if (gated) this.gate.open();
    this.scheduler.release(gated ? this.gate.sceneIds : this.order);
    this.touch(now);
  }

  /** Once every gate scene has its clip, the gate passes and the other scenes are released. Returns true when it did. */
  releaseAfterGate(now: number): boolean {
    if (!this.gate.judging || !this.gate.sceneIds.every((id) => this.scene(id).status === 'succeeded')) return false;
    this.gate.pass();
    this.scheduler.release(this.order.filter((id) => !this.gate.includes(id)));
    this.touch(now);
    return true;
  }

  /** True when nothing runs or waits to run and no scene waits for an operator: time to assemble or fail. */
  get settled(): boolean {
    return this.scheduler.idle && !this.order.some((id) => this.scene(id).status === 'awaiting_ops');
  }

  /** The clips to assemble, in plan order. */
  clips(): { sceneId: string; path: string }[] {
    return this.order.flatMap((id) => {
      const run = this.scene(id);
      return run.status === 'succeeded' && run.clip ? [{ sceneId: id, path: run.clip.path }] : [];
    });
  }

  startAssembly(now: number): void {
    this.assembling = true;
    this.touch(now);
  }

  /** The video is made: the generation ends succeeded, or partial when scenes failed or were skipped. */
  finish(now: number): 'succeeded' | 'partial' {
    const incomplete = this.order.some((id) => ['failed', 'skipped'].includes(this.scene(id).status));
    this.assembling = false;
    this.state = incomplete ? 'partial' : 'succeeded';
    this.touch(now);
    return this.state as 'succeeded' | 'partial';
  }

  /** The generation ended without a video (failed or cancelled); unfinished scenes say so. */
  end(status: 'failed' | 'cancelled', now: number): void {
    const gateFailed =
      this.stopReason?.type === FailureType.GateFailed || this.stopReason?.type === FailureType.GateRejected;
    for (const run of this.scenes.values()) run.stop(gateFailed);
    if (gateFailed) this.gate.fail();
    this.state = status;
    this.touch(now);
  }

  /**
   * Stops the generation for `reason` (the first reason wins): every scene in flight is
   * cancelled and the run will fail with it.
   */
  halt(reason: StopReason, now: number): void {
    if (this.stopReason) return;
    // a stopping generation keeps showing the status it had when it stopped
    this.fresh();
    this.stopReason = reason;
    this.hooks.stopping();
    this.touch(now);
  }

  // ---- scene attempts and their paid predictions

  /** The model scenes run on, once preparation resolved it. */
  get model(): ModelEntry {
    return this.requirePrepared().model;
  }

  /** The gate's scorer, resolved by preparation (the plan may leave it to the worker's default). */
  get scorer(): 'local' | 'clip' | 'manual' {
    return this.preparation?.scorer ?? this.plan.gate.scorer ?? 'local';
  }

  /** Seconds of video the next attempt of a scene produces (and is priced on). */
  private outputSecOf(id: string): number {
    return outputSeconds(this.model, this.scene(id).scene.durationSec);
  }

  /** What the next attempt of a scene may cost at most (reserved before it starts). */
  estimateFor(id: string): number {
    return estimateCostUsd(this.model.pricing, this.outputSecOf(id));
  }

  /** What one paid gate score may cost at most (0 for the free scorers). */
  scorerEstimate(): number {
    const scorer = this.preparation?.scorerModel;
    return scorer ? estimateCostUsd(scorer.pricing, 0) : 0;
  }

  /** Asks for money for one paid call: reserved now, waiting in line, or refused (the plan says fail rather than wait). */
  requestBudget(claim: BudgetClaim, now: number): 'reserved' | 'waiting' | 'refused' {
    const answer = this.admission.request(claim, now);
    if (answer === 'reserved') return answer;
    if (this.plan.budget.onExceeded === 'fail') {
      this.admission.withdraw(claim.key);
      this.halt({ type: FailureType.BudgetExceeded, message: this.budgetMessage(claim) }, now);
      return 'refused';
    }
    this.moneyWaits.set(claim.sceneId, claim.estimateUsd);
    this.touch(now);
    return 'waiting';
  }

  /**
   * A scene stops waiting for money: granted, stopped, or out of time (then the generation
   * fails as BudgetExceeded). Returns whether its claim holds a reservation to spend.
   */
  endMoneyWait(claim: BudgetClaim, now: number): boolean {
    this.moneyWaits.delete(claim.sceneId);
    const granted = this.admission.withdraw(claim.key);
    if (this.stopReason) {
      if (granted) this.ledger.settle(claim.key, 0);
      return false;
    }
    if (!granted) {
      const within = String(this.plan.budget.waitTimeout);
      this.halt(
        {
          type: FailureType.BudgetExceeded,
          message: `${this.budgetMessage(claim)}; no more budget came within ${within}`,
        },
        now
      );
      return false;
    }
    this.touch(now);
    return true;
  }

  /** Gives back a reservation nothing was spent under (the generation stopped before the call began). */
  release(key: string): void {
    this.ledger.settle(key, 0);
    this.admission.admit();
  }

  /** A paid attempt of a scene starts: the prediction it creates, with its money already reserved under its key. */
  beginAttempt(id: string, now: number): PaidCall {
    const run = this.scene(id);
    const strength = run.nextStrength(this.gate.strengthOf(run.scene.entities));
    const seed = run.nextSeed(this.gate.seed);
    const attempt = run.begin(strength, seed, now);
    const outputSec = this.outputSecOf(id);
    const call: PaidCall = {
      key: `${id}#${attempt.n}`,
      sceneId: id,
      kind: 'scene',
      model: this.model.id,
      ...(this.model.version ? { version: this.model.version } : {}),
      input: toModelInput(this.model, {
        prompt: run.scene.prompt,
        ...(run.scene.negativePrompt ? { negativePrompt: run.scene.negativePrompt } : {}),
        references: run.scene.entities.map((groupId) => ({
          groupId,
          urls: this.references.filter((r) => r.groupId === groupId).map((r) => r.url),
        })),
        strength: attempt.strength,
        seed,
        durationSec: run.scene.durationSec,
        aspectRatio: this.plan.aspectRatio,
      }),
      pricing: this.model.pricing,
      outputSec,
      typicalMs: typicalRunMs(this.model, outputSec),
    };
    this.calls.open(call);
    this.touch(now);
    return call;
  }

  /** One try at scoring a gate clip with the CLIP model, over frames already uploaded. */
  beginScore(id: string, tryNumber: number, frameUrls: readonly string[]): PaidCall {
    const scorer = this.preparation?.scorerModel;
    if (!scorer) throw new Error('a CLIP score without a CLIP scorer');
    const run = this.scene(id);
    const call: PaidCall = {
      key: `${id}#${run.attempts}/score#${tryNumber}`,
      sceneId: id,
      kind: 'score',
      model: scorer.id,
      ...(scorer.version ? { version: scorer.version } : {}),
      input: { inputs: [...frameUrls, ...this.referencesOf(id).map((r) => r.url)].join('\n') },
      pricing: scorer.pricing,
      outputSec: 0,
      typicalMs: typicalRunMs(scorer, 0),
    };
    this.calls.open(call);
    return call;
  }

  /** A paid call's prediction exists: its id goes into the record before anything waits on it. */
  callCreated(key: string, prediction: PredictionSnapshot, webhook: boolean, now: number): void {
    this.calls.created(key, prediction, webhook);
    const state = this.calls.get(key)!;
    if (state.call.kind === 'scene') this.scene(state.call.sceneId).recordPrediction(prediction.id);
    this.touch(now);
  }

  /** Signal predictionSettled (a webhook), or a read of a prediction: its end, if it ended. */
  predictionObserved(key: string, prediction: PredictionSnapshot, now: number): void {
    if (this.calls.observe(key, prediction)) this.touch(now);
  }

  /** Books what a paid call cost (from its final prediction, or 0 if none was created); money it did not use may let a waiting call start. */
  bookCall(key: string): number {
    const cost = this.calls.book(key);
    this.admission.admit();
    return cost;
  }

  /** The references of the groups a scene shows. */
  referencesOf(id: string): PreparedReference[] {
    const entities = new Set(this.scene(id).scene.entities);
    return this.references.filter((r) => entities.has(r.groupId));
  }

  private get references(): PreparedReference[] {
    return this.preparation?.references ?? [];
  }

  /** The latest attempt's prediction ended: its slot frees for the next scene while its clip is collected. */
  predictionEnded(id: string, now: number): void {
    if (!this.slotPerPrediction || this.scheduler.stateOf(id) !== 'running') return;
    this.scheduler.mark(id, 'finishing');
    this.touch(now);
  }

  /** A scene whose prediction ended needs another attempt: it waits for a slot again. */
  needsSlot(id: string, now: number): void {
    if (this.scheduler.stateOf(id) !== 'finishing') return;
    this.scheduler.mark(id, 'waiting');
    this.touch(now);
  }

  /** The latest attempt made a clip. */
  attemptProduced(id: string, key: string, clip: Clip, now: number): void {
    const state = this.calls.get(key)!;
    this.scene(id).produced(clip, state.costUsd ?? 0, state.predictionId!, now);
    this.touch(now);
  }

  /**
   * The latest attempt failed: the model failed, its output was unusable, or its create was
   * refused. `permanent`: no further attempt can help (a bad input, an unknown model).
   */
  attemptFailed(id: string, key: string, failure: { error: string; permanent: boolean }, now: number): void {
    const state = this.calls.get(key);
    const run = this.scene(id);
    run.failed(failure.error, state?.costUsd ?? 0, state?.predictionId ?? null, now);
    if (failure.permanent) run.noMoreAttempts();
    this.touch(now);
  }

  /** The latest attempt was cancelled with the generation (its cost already booked). */
  attemptCancelled(id: string, key: string, now: number): void {
    const state = this.calls.get(key);
    this.scene(id).cancelled(state?.costUsd ?? 0, state?.predictionId ?? null, now);
    this.touch(now);
  }

  /** The scene has its clip. */
  sceneSucceeded(id: string, now: number): void {
    const run = this.scene(id);
    run.succeed();
    const began = run.history[0]?.startedAt;
    if (began !== undefined) this.instruments.sceneDone(this.model.id, (now - began) / 1000);
    this.touch(now);
  }

  /** A scene used all its attempts: apply the plan's failure policy. */
  sceneExhausted(id: string, now: number): void {
    const run = this.scene(id);
    const why = `scene ${id} failed after ${plural(run.attempts, 'attempt')}: ${run.lastError ?? 'unknown error'}`;
    run.giveUp(this.plan.onSceneFailure);
    if (this.plan.onSceneFailure === 'fail-fast') this.halt({ type: FailureType.SceneFailed, message: why }, now);
    // without its gate scene the references were never checked: nothing else may run
    else if (this.plan.onSceneFailure === 'continue' && run.isGate)
      this.halt({ type: FailureType.GateFailed, message: why }, now);
    this.touch(now);
  }

  // ---- the gate

  /** A gate clip was scored. */
  gateScored(id: string, score: number, now: number): 'pass' | 'miss' {
    const run = this.scene(id);
    const rounded = Math.round(score * 1000) / 1000;
    run.scored(rounded);
    const verdict = this.gate.score(id, run.attempts, run.latest!.strength, rounded);
    this.instruments.gateVerdict(verdict);
    this.touch(now);
    return verdict;
  }

  /** A gate attempt missed (`note`: a person's reason): stronger references next. */
  gateMissed(id: string, note: string | null, now: number): 'again' | 'exhausted' {
    const run = this.scene(id);
    this.gate.miss(run.scene.entities);
    const next = run.missed(note, this.plan.gate.maxAttempts, this.plan.gate.strengthStep);
    this.touch(now);
    return next;
  }

  /** A gate scene starts waiting for a person. */
  askPerson(id: string, now: number): void {
    this.gate.ask(id);
    this.touch(now);
  }

  /** A gate scene stops waiting for a person; without an answer in time the generation fails. */
  endAsk(id: string, answered: boolean, now: number): GateDecision | null {
    const answer = this.gate.endAsk(id);
    if (!answered && !this.stopReason) {
      this.halt(
        {
          type: FailureType.GateFailed,
          message: `nobody approved or rejected the gate within ${String(this.plan.gate.approvalTimeout)}`,
        },
        now
      );
    }
    this.touch(now);
    return this.stopReason ? null : answer;
  }

  // ---- message handlers, one method each

  /** Signal raiseBudget: adds to the limit; waiting calls that now fit start. */
  raiseBudget(amountUsd: number, now: number): string {
    const limit = this.ledger.raise(amountUsd);
    this.admission.moneyArrived(now);
    this.touch(now);
    return `budget raised by ${amountUsd} USD to ${limit} USD`;
  }

  /** Signal setBudget: replaces the limit; waiting calls that now fit start. */
  setBudget(limitUsd: number, now: number): string {
    const limit = this.ledger.setLimit(limitUsd);
    this.admission.moneyArrived(now);
    this.touch(now);
    return `budget set to ${limit} USD`;
  }

  /** Why a gate decision is refused now, or null. */
  refuseGateDecision(): string | null {
    return this.gate.refuseDecision();
  }

  /** Update approveGate / rejectGate: answers every gate scene waiting for a person. */
  decideGate(decision: GateDecision, now: number): string {
    const scenes = this.gate.decide(decision);
    this.instruments.gateVerdict(decision.approved ? 'approved' : 'rejected');
    this.touch(now);
    const verb = decision.approved ? 'approved' : 'rejected';
    const label = `scene${scenes.length > 1 ? 's' : ''} ${scenes.join(', ')}`;
    if (decision.approved) return `gate approved for ${label}`;
    const next = scenes.map((id) => this.afterRejection(id)).join('; ');
    return `gate ${verb} for ${label}; ${next}`;
  }

  /** What a rejection of a waiting gate scene leads to, in words. */
  private afterRejection(id: string): string {
    const run = this.scene(id);
    const manual = this.scorer === 'manual';
    if (!manual || run.gateMisses + 1 >= this.plan.gate.maxAttempts) {
      return `that was the last attempt at ${id}: the generation fails as GateRejected`;
    }
    const step = this.plan.gate.strengthStep;
    const next = Math.min(1, run.latest!.strength + step);
    return `${id} is made again at strength ${Math.round(next * 1000) / 1000} (attempt ${run.gateMisses + 2} of ${this.plan.gate.maxAttempts})`;
  }

  /** Why an operator's retry or skip of a scene is refused now, or null. */
  refuseSceneAction(id: string, action: 'retried' | 'skipped'): string | null {
    const run = this.scenes.get(id);
    if (!run) return `there is no scene "${id}" (scenes: ${this.order.join(', ')})`;
    if (this.finished || this.assembling || this.stopReason) {
      return `the generation is ${this.stopReason ? 'stopping' : this.assembling ? 'assembling' : this.status}`;
    }
    const refusal = run.refuseOperatorAction(action);
    if (refusal) return refusal;
    if (action === 'skipped' && run.isGate && this.gate.judging) {
      return `scene ${id} is a gate scene; approve or reject the gate instead`;
    }
    return null;
  }

  /** Update retryScene: a failed scene gets new attempts, optionally changed. */
  retryScene(id: string, overrides: SceneOverrides | undefined, now: number): string {
    const extra = this.plan.retry.maxAttemptsPerScene;
    const changes = this.scene(id).retry(extra, overrides);
    this.scheduler.mark(id, 'waiting');
    this.touch(now);
    return `scene ${id} queued for up to ${plural(extra, 'more attempt')}${changes.length ? ` with ${changes.join(', ')}` : ''}`;
  }

  /** Update skipScene: a failed scene is left out of the video. */
  skipScene(id: string, now: number): string {
    this.scene(id).skip();
    this.touch(now);
    return `scene ${id} skipped; the video will be made without it`;
  }

  /** Why an abort is refused now, or null. */
  refuseAbort(): string | null {
    if (this.finished || this.assembling) return `the generation is ${this.assembling ? 'assembling' : this.status}`;
    if (this.stopReason) return `the generation is already stopping (${this.stopReason.message})`;
    return null;
  }

  /** Update abort: the generation stops and fails as Aborted. */
  abort(reason: string, now: number): string {
    const inFlight = this.hooks.inFlight();
    this.halt({ type: FailureType.Aborted, message: `aborted by an operator: ${reason}` }, now);
    return `aborting; ${plural(inFlight, 'scene')} in flight being cancelled`;
  }

  // ---- reading

  private refreshStatus(): void {
    const opsWaits = this.order
      .map((id) => this.scene(id))
      .filter((run) => run.status === 'awaiting_ops')
      .map((run) => ({ sceneId: run.id, lastError: run.lastError }));
    this.waits = deriveStatus({
      current: this.state,
      stopping: this.stopReason,
      prepared: this.preparation !== null,
      assembling: this.assembling,
      gateStatus: this.gate.status,
      gateAwaiting: this.gate.awaiting,
      moneyWaits: [...this.moneyWaits].map(([sceneId, needsUsd]) => ({ sceneId, needsUsd })),
      budget: { availableUsd: this.ledger.availableUsd, limitUsd: this.ledger.limitUsd },
      opsWaits,
      inFlight: this.hooks.inFlight(),
    });
    if (!this.finished) this.state = this.waits.status;
  }

  /** What the `progress` query answers. */
  progress(): Progress {
    return reportProgress(this.view());
  }

  /** The state the generation ended in, for the memo and the failure's details. */
  finalState(status: GenerationStatus, reason: string): FinalState {
    return reportFinalState(this.view(), status, reason);
  }

  private view(): GenerationView {
    this.fresh();
    return {
      generationId: this.generationId,
      plan: this.plan,
      model: this.preparation?.model.id ?? this.plan.model ?? 'the default model',
      order: this.order,
      scene: (id) => this.scene(id),
      ledger: this.ledger,
      gate: this.gate,
      status: this.state,
      finished: this.finished,
      waits: this.waits,
      startedAt: this.startedAt,
      updatedAt: this.updatedAt,
      prepared: this.preparation,
    };
  }

  private budgetMessage(claim: BudgetClaim): string {
    const { ledger } = this;
    const what =
      claim.kind === 'score'
        ? `the gate score of scene ${claim.sceneId}`
        : `the next attempt of scene ${claim.sceneId}`;
    return `${what} needs ${claim.estimateUsd.toFixed(4)} USD but only ${Math.max(0, ledger.availableUsd).toFixed(4)} USD of the ${ledger.limitUsd} USD budget is left (${ledger.spentUsd.toFixed(4)} spent, ${ledger.reservedUsd.toFixed(4)} reserved)`;
  }

  private requirePrepared(): PrepareGenerationResult {
    if (!this.preparation) throw new Error('estimate before preparation');
    return this.preparation;
  }
}
