import type { PrepareGenerationResult } from '../../schema/activities';
import { FailureType } from '../../schema/failures';
import type { Plan } from '../../schema/plan';
import { finishedStatuses, type FinalState, type GenerationStatus, type Progress } from '../../schema/progress';
import { Budget } from './budget';
import { ConsistencyChecks } from './consistency-checks';
import { DriftVerdicts } from './drift-verdicts';
import { Gate } from './gate';
import { GateVerdicts } from './gate-verdicts';
import type { GenerationHooks, GenerationParts, GenerationPatches, SceneView, StopReason } from './generation-parts';
import { noInstruments } from './instruments';
import { PaidCalls } from './paid-calls';
import { withRenewed } from './reference-expiry';
import { reportFinalState, reportProgress, type GenerationView } from './progress-report';
import { keyframesStillComing, Storyboard, storyboardWanted } from './storyboard';
import { OperatorActions } from './operator-actions';
import { SceneAttempts } from './scene-attempts';
import { SceneState } from './scene-state';
import { SceneScheduler } from './scheduler';
import { deriveStatus, type DerivedStatus } from './status';

/**
 * One generation's state and the rules that change it, without Temporal. Its parts are private:
 * drivers and handlers change them only through methods that record the change, moving `version`,
 * which what follows the generation waits on. The rules are in the classes it composes (`attempts`,
 * `verdicts`, `drifts`, `operators`); it keeps the run's course and what the progress query reports.
 */
export class Generation {
  readonly order: readonly string[];
  readonly attempts: SceneAttempts;
  readonly verdicts: GateVerdicts;
  readonly drifts: DriftVerdicts;
  readonly operators: OperatorActions;
  private readonly budget: Budget;
  private readonly gate: Gate;
  private readonly checks: ConsistencyChecks;
  private readonly storyboard: Storyboard;
  private readonly scheduler: SceneScheduler;
  private readonly calls: PaidCalls;
  private readonly scenes = new Map<string, SceneState>();
  private state: GenerationStatus = 'preparing';
  private stopReason: StopReason | null = null;
  private preparation: PrepareGenerationResult | null = null;
  private assembling = false;
  private waits: DerivedStatus = { status: 'preparing', waitingFor: null, waitingOn: [] };
  /** The status is derived again when next read, once however many changes came before. */
  private dirty = true;
  private changes = 0;
  private readonly startedAt: number;
  private updatedAt: number;
  private readonly recordsEveryChange: boolean;
  private readonly parts: GenerationParts;

  constructor(
    readonly plan: Plan,
    readonly generationId: string,
    private readonly hooks: GenerationHooks,
    patches: GenerationPatches
  ) {
    this.startedAt = this.updatedAt = hooks.now();
    const instruments = hooks.instruments ?? noInstruments;
    this.recordsEveryChange = patches.recordEveryChange;
    this.budget = new Budget(plan.budget);
    this.gate = new Gate(plan);
    this.checks = new ConsistencyChecks(plan);
    this.scheduler = new SceneScheduler(plan.strategy);
    this.calls = new PaidCalls((key, usd) => this.budget.settle(key, usd), instruments);
    const attempts = plan.retry.maxAttemptsPerScene;
    for (const [i, s] of plan.scenes.entries())
      this.scenes.set(s.id, new SceneState(s, i + 1, this.gate.includes(s.id), attempts));
    this.order = plan.scenes.map((s) => s.id);
    this.storyboard = new Storyboard(storyboardWanted(plan), this.order);
    const parts: GenerationParts = (this.parts = {
      ...{ plan, generationId, order: this.order, instruments },
      ...{ budget: this.budget, gate: this.gate, checks: this.checks, calls: this.calls, scheduler: this.scheduler },
      storyboard: this.storyboard,
      keyframesStillComing: () => this.keyframesStillComing(),
      slotPerPrediction: patches.slotPerPrediction,
      promptReads: patches.promptReads,
      scene: (id) => this.sceneState(id),
      prepared: () => this.requirePrepared(),
      renewReferences: (renewed) => this.renewReferences(renewed),
      stop: () => this.stopReason,
      halt: (reason) => this.halt(reason),
      status: () => this.status,
      assembling: () => this.assembling,
      finished: () => this.finished,
      inFlight: hooks.inFlight,
      now: hooks.now,
      record: () => this.record(),
      recordNew: () => this.recordNew(),
    });
    this.attempts = new SceneAttempts(parts);
    this.verdicts = new GateVerdicts(parts);
    this.drifts = new DriftVerdicts(parts);
    this.operators = new OperatorActions(parts);
  }

  /** Moves on every recorded change: what waits on the generation waits for it to move. */
  get version(): number {
    return this.changes;
  }
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
  scene(id: string): SceneView {
    return this.sceneState(id);
  }
  get paidCalls(): Pick<PaidCalls, 'get' | 'final' | 'inFlight' | 'knownIds'> {
    return this.calls;
  }

  /** References are checked and uploaded, and the model priced: the gate scenes (or all scenes) may start. */
  prepare(prepared: PrepareGenerationResult): void {
    this.preparation = prepared;
    const gated = this.gate.sceneIds.length > 0;
    if (gated) this.gate.open();
    this.scheduler.release(gated ? this.gate.sceneIds : this.order);
    this.record();
  }

  /** Once every gate scene has its clip, the gate passes and the other scenes are released. Returns true when it did. */
  releaseAfterGate(): boolean {
    const ready = (id: string): boolean => this.sceneState(id).status === 'succeeded' || this.gate.isCleared(id);
    if (!this.gate.judging || !this.gate.sceneIds.every(ready)) return false;
    this.gate.pass();
    this.scheduler.release(this.order.filter((id) => !this.gate.includes(id)));
    this.record();
    return true;
  }

  /** True when nothing runs or waits to run and no scene waits for an operator: time to assemble or fail. */
  get settled(): boolean {
    return this.scheduler.idle && !this.order.some((id) => this.sceneState(id).status === 'awaiting_ops');
  }

  /** The clips to assemble, in plan order. */
  clips(): { sceneId: string; path: string }[] {
    return this.order.flatMap((id) => {
      const run = this.sceneState(id);
      return run.status === 'succeeded' && run.clip ? [{ sceneId: id, path: run.clip.path }] : [];
    });
  }

  startAssembly(): void {
    this.assembling = true;
    this.record();
  }

  /** The video is made: the generation ends succeeded, or partial when scenes failed or were skipped. */
  finish(): 'succeeded' | 'partial' {
    const incomplete = this.order.some((id) => ['failed', 'skipped'].includes(this.sceneState(id).status));
    this.assembling = false;
    const status = incomplete ? 'partial' : 'succeeded';
    this.state = status;
    this.record();
    return status;
  }

  /** The generation ended without a video (failed or cancelled); unfinished scenes say so. */
  end(status: 'failed' | 'cancelled'): void {
    const why = this.stopReason?.type;
    const gateFailed = why === FailureType.GateFailed || why === FailureType.GateRejected;
    for (const run of this.scenes.values()) run.stop(gateFailed);
    if (gateFailed) this.gate.fail();
    this.state = status;
    this.record();
  }

  /** Stops the generation for `reason` (the first reason wins): every scene in flight is cancelled and the run fails with it. */
  halt(reason: StopReason): void {
    if (this.stopReason) return;
    // a stopping generation keeps showing the status it had when it stopped
    this.fresh();
    this.stopReason = reason;
    this.hooks.stopping();
    this.record();
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
    const { parts, state: status, finished, waits, startedAt, updatedAt, preparation } = this;
    return { ...parts, status, finished, waits, startedAt, updatedAt, preparation };
  }

  /** Records a change: the version moves, the status is derived afresh when next read, and the workflow hears of it. */
  private record(): void {
    this.changes++;
    this.updatedAt = this.hooks.now();
    this.dirty = true;
    this.hooks.changed();
  }

  /** Records a change that runs begun before `recordEveryChange` did not record. */
  private recordNew(): void {
    if (this.recordsEveryChange) this.record();
  }

  private fresh(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const opsWaits = [...this.scenes.values()].filter((run) => run.status === 'awaiting_ops');
    this.waits = deriveStatus({
      generationId: this.generationId,
      current: this.state,
      stopping: this.stopReason,
      prepared: this.preparation !== null,
      assembling: this.assembling,
      gateStatus: this.gate.status,
      gateAwaiting: this.gate.awaiting,
      driftAwaiting: this.checks.awaiting,
      storyboardAwaiting:
        this.storyboard.holding && this.keyframesStillComing().length === 0 ? this.storyboard.sceneIds : [],
      moneyWaits: this.budget.moneyWaits,
      budget: { availableUsd: this.budget.availableUsd, limitUsd: this.budget.limitUsd },
      opsWaits: opsWaits.map((run) => ({ sceneId: run.id, lastError: run.lastError })),
      inFlight: this.hooks.inFlight(),
    });
    if (!this.finished) this.state = this.waits.status;
  }

  private keyframesStillComing(): string[] {
    return keyframesStillComing([...this.scenes.values()], this.storyboard.sceneIds);
  }

  private sceneState(id: string): SceneState {
    const run = this.scenes.get(id);
    if (!run) throw new Error(`unknown scene ${id}`);
    return run;
  }

  private renewReferences(renewed: Parameters<typeof withRenewed>[1]): void {
    const prepared = this.requirePrepared();
    this.preparation = { ...prepared, references: withRenewed(prepared.references, renewed) };
    this.record();
  }

  private requirePrepared(): PrepareGenerationResult {
    if (!this.preparation) throw new Error('a scene attempt before preparation');
    return this.preparation;
  }
}
