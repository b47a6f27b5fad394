import type { PrepareGenerationResult, PreparedReference, SceneClipRequest } from '../schema/activities';
import { estimateCostUsd } from '../schema/catalogue';
import type { Plan, Scene, SceneOverrides } from '../schema/plan';
import type { FinalState, GenerationStatus, Progress, SceneProgress, SceneStatus } from '../schema/progress';
import { BudgetLedger } from './budget-ledger';
import { gateScenes } from './gate-scenes';

/** A scene as the generation runs it. */
export interface SceneRun {
  scene: Scene;
  index: number;
  status: SceneStatus;
  /** Paid attempts made. */
  attempts: number;
  /** Attempts allowed; an operator's retry adds more. */
  allowance: number;
  /** Gate attempts that produced a clip and were scored below the threshold (or rejected). */
  gateMisses: number;
  isGate: boolean;
  /** Reference strength override, set by the gate or by an operator. */
  strength: number | null;
  score: number | null;
  clip: { path: string; durationSec: number } | null;
  predictionIds: string[];
  lastError: string | null;
  /** Finished attempt durations, for the ETA. */
  attemptMs: number[];
}

export type GateStatus = Progress['gate']['status'];

/** Why the generation is stopping early. */
export interface StopReason {
  type: string;
  message: string;
  status: GenerationStatus;
}

const round = (usd: number): number => Math.round(usd * 1e6) / 1e6;

/**
 * The state of one generation and every rule that reads or changes it, without Temporal:
 * the workflow drives it, queries and updates read it, unit tests exercise it directly.
 */
export class GenerationRun {
  readonly ledger: BudgetLedger;
  readonly scenes = new Map<string, SceneRun>();
  readonly order: string[];
  readonly gateSceneIds: string[];
  gateStatus: GateStatus;
  readonly gateScores: Progress['gate']['scores'] = [];
  /** Group reference strengths, raised by gate misses. */
  readonly strengths = new Map<string, number>();
  seed: number;
  status: GenerationStatus = 'preparing';
  waitingFor: string | null = null;
  stop: StopReason | null = null;
  /** Gate scenes waiting for a person, and the answers given to them. */
  readonly gateWaiting = new Set<string>();
  readonly gateAnswers = new Map<string, { approved: boolean; text: string }>();
  /** Why a person rejected each manual-gate attempt, for the failure message. */
  readonly gateRejections: string[] = [];
  /** A person approved at least one gate scene (the gate then ends `approved`, not `passed`). */
  gateApprovedAny = false;
  /** Scenes waiting for money. */
  readonly budgetBlocked = new Set<string>();
  /** Bumped on every change the workflow's loops wait for. */
  version = 0;
  references: PreparedReference[] = [];
  prepared: PrepareGenerationResult | null = null;
  readonly startedAt: number;
  updatedAt: number;

  constructor(
    readonly plan: Plan,
    readonly generationId: string,
    now: number
  ) {
    this.ledger = new BudgetLedger(plan.budget.limitUsd);
    this.seed = plan.seed;
    this.startedAt = now;
    this.updatedAt = now;
    this.gateSceneIds = gateScenes(plan);
    this.gateStatus = plan.gate.enabled ? 'pending' : 'disabled';
    for (const group of plan.consistencyGroups) this.strengths.set(group.id, group.strength);
    plan.scenes.forEach((scene, i) => {
      this.scenes.set(scene.id, {
        scene: { ...scene, ...pick(scene.overrides) },
        index: i + 1,
        status: 'pending',
        attempts: 0,
        allowance: plan.retry.maxAttemptsPerScene,
        gateMisses: 0,
        isGate: this.gateSceneIds.includes(scene.id),
        strength: scene.overrides?.strength ?? null,
        score: null,
        clip: null,
        predictionIds: [],
        lastError: null,
        attemptMs: [],
      });
    });
    this.order = plan.scenes.map((s) => s.id);
  }

  scene(id: string): SceneRun {
    const run = this.scenes.get(id);
    if (!run) throw new Error(`unknown scene ${id}`);
    return run;
  }

  touch(now: number): void {
    this.version++;
    this.updatedAt = now;
  }

  setPrepared(prepared: PrepareGenerationResult): void {
    this.prepared = prepared;
    this.references = prepared.references;
  }

  /** The strength a scene is generated with: its override, else the strongest of its groups. */
  strengthOf(id: string): number {
    const run = this.scene(id);
    if (run.strength !== null) return run.strength;
    const values = run.scene.entities.map((e) => this.strengths.get(e) ?? 0);
    return values.length ? Math.max(...values) : 0;
  }

  /** What one attempt of a scene may cost at most (reserved before it starts). */
  estimateFor(id: string): number {
    if (!this.prepared) throw new Error('estimate before preparation');
    const { pricing, outputDuration } = this.prepared.model;
    const seconds = outputDuration === 'requested' ? this.scene(id).scene.durationSec : outputDuration.fixedSec;
    return estimateCostUsd(pricing, seconds);
  }

  scorerEstimate(): number {
    return this.prepared?.scorerPricing ? estimateCostUsd(this.prepared.scorerPricing, 0) : 0;
  }

  /** The activity request for the next attempt of a scene. */
  requestFor(id: string): SceneClipRequest {
    const run = this.scene(id);
    const references = run.scene.entities.map((groupId) => ({
      groupId,
      urls: this.references.filter((r) => r.groupId === groupId).map((r) => r.url),
    }));
    return {
      generationId: this.generationId,
      sceneId: id,
      attempt: run.attempts,
      model: this.plan.model,
      prompt: run.scene.prompt,
      ...(run.scene.negativePrompt ? { negativePrompt: run.scene.negativePrompt } : {}),
      references,
      strength: this.strengthOf(id),
      seed: run.scene.overrides?.seed ?? this.seed,
      durationSec: run.scene.durationSec,
      aspectRatio: this.plan.aspectRatio,
      excludePredictionIds: run.predictionIds,
    };
  }

  referencesOf(id: string): PreparedReference[] {
    const entities = new Set(this.scene(id).scene.entities);
    return this.references.filter((r) => entities.has(r.groupId));
  }

  /**
   * A gate attempt scored below the threshold (or was rejected): the scene's groups get
   * stronger references for every later attempt and scene, and optionally a new seed.
   */
  recordGateMiss(id: string): void {
    const run = this.scene(id);
    run.gateMisses++;
    for (const groupId of run.scene.entities) {
      const next = Math.min(1, (this.strengths.get(groupId) ?? 0) + this.plan.gate.strengthStep);
      this.strengths.set(groupId, Math.round(next * 1000) / 1000);
    }
    if (run.strength !== null) run.strength = Math.min(1, run.strength + this.plan.gate.strengthStep);
    if (this.plan.gate.reseedOnFail) this.seed = (this.seed + 1) % 2 ** 31;
  }

  /** Applies an operator's changes for the next attempts of a scene. */
  applyOverrides(id: string, overrides: SceneOverrides | undefined): string[] {
    if (!overrides) return [];
    const run = this.scene(id);
    const changed: string[] = [];
    if (overrides.prompt !== undefined) {
      run.scene = { ...run.scene, prompt: overrides.prompt };
      changed.push('prompt');
    }
    if (overrides.negativePrompt !== undefined) {
      run.scene = { ...run.scene, negativePrompt: overrides.negativePrompt };
      changed.push('negative prompt');
    }
    if (overrides.strength !== undefined) {
      run.strength = overrides.strength;
      changed.push(`strength ${overrides.strength}`);
    }
    if (overrides.seed !== undefined) {
      run.scene = { ...run.scene, overrides: { ...run.scene.overrides, seed: overrides.seed } };
      changed.push(`seed ${overrides.seed}`);
    }
    return changed;
  }

  get finished(): boolean {
    return ['succeeded', 'partial', 'failed', 'cancelled'].includes(this.status);
  }

  /** Why an operator's retry of a scene is refused, or null when it may go ahead. */
  refuseRetry(id: string): string | null {
    const run = this.scenes.get(id);
    if (!run) return `there is no scene "${id}" (scenes: ${this.order.join(', ')})`;
    if (this.finished || this.status === 'assembling' || this.stop)
      return `the generation is ${this.stop ? 'stopping' : this.status}`;
    if (run.status !== 'awaiting_ops' && run.status !== 'failed') {
      return `scene ${id} is ${run.status}; only a failed scene can be retried`;
    }
    return null;
  }

  /** Why an operator's skip of a scene is refused, or null when it may go ahead. */
  refuseSkip(id: string): string | null {
    const refusal = this.refuseRetry(id);
    if (refusal) return refusal.replace('can be retried', 'can be skipped');
    if (this.scene(id).isGate && this.gateStatus !== 'passed' && this.gateStatus !== 'approved') {
      return `scene ${id} is a gate scene; approve or reject the gate instead`;
    }
    return null;
  }

  /** Why a gate decision is refused, or null when the gate is waiting for one. */
  refuseGateDecision(): string | null {
    if (this.gateStatus !== 'awaiting_approval')
      return `the gate is not waiting for a decision (gate ${this.gateStatus})`;
    return null;
  }

  private sceneProgress(): SceneProgress[] {
    return this.order.map((id) => {
      const run = this.scene(id);
      return {
        id,
        index: run.index,
        status: run.status,
        attempts: run.attempts,
        costUsd: round(this.ledger.spentOn(id)),
        strength: this.strengthOf(id),
        score: run.score,
        clipPath: run.clip?.path ?? null,
        predictionId: run.predictionIds.at(-1) ?? null,
        lastError: run.lastError,
        isGateScene: run.isGate,
      };
    });
  }

  /** Seconds until every scene should be done, from the average attempt so far and the concurrency. */
  private etaSec(scenes: SceneProgress[]): number | null {
    const durations = [...this.scenes.values()].flatMap((s) => s.attemptMs);
    const remaining = scenes.filter(
      (s) => s.status === 'pending' || s.status === 'running' || s.status === 'scoring'
    ).length;
    if (remaining === 0) return 0;
    if (durations.length === 0) return null;
    const average = durations.reduce((a, b) => a + b, 0) / durations.length;
    const { mode, concurrency } = this.plan.strategy;
    const lanes = mode === 'sequential' ? 1 : mode === 'parallel' ? remaining : Math.min(concurrency, remaining);
    return Math.round((Math.ceil(remaining / lanes) * average) / 1000);
  }

  progress(): Progress {
    const scenes = this.sceneProgress();
    const count = (...statuses: SceneStatus[]): number => scenes.filter((s) => statuses.includes(s.status)).length;
    const done = count('succeeded');
    const failed = count('failed', 'awaiting_ops');
    const skipped = count('skipped');
    return {
      generationId: this.generationId,
      status: this.status,
      waitingFor: this.waitingFor,
      model: this.plan.model,
      strategy: this.plan.strategy,
      seed: this.seed,
      scenes,
      totals: {
        scenes: scenes.length,
        done,
        failed,
        skipped,
        running: count('running', 'scoring'),
        percent: Math.round(((done + skipped) / scenes.length) * 100),
      },
      budget: {
        limitUsd: this.ledger.limitUsd,
        spentUsd: round(this.ledger.spentUsd),
        reservedUsd: round(this.ledger.reservedUsd),
      },
      gate: { status: this.gateStatus, sceneIds: this.gateSceneIds, scores: this.gateScores },
      startedAt: new Date(this.startedAt).toISOString(),
      updatedAt: new Date(this.updatedAt).toISOString(),
      etaSec: this.etaSec(scenes),
    };
  }

  finalState(status: GenerationStatus, reason: string): FinalState {
    const scenes = this.sceneProgress();
    return {
      status,
      reason,
      spentUsd: round(this.ledger.spentUsd),
      limitUsd: this.ledger.limitUsd,
      scenesDone: scenes.filter((s) => s.status === 'succeeded').map((s) => s.id),
      clips: this.order.flatMap((id) => {
        const clip = this.scene(id).clip;
        return clip ? [{ sceneId: id, path: clip.path }] : [];
      }),
      scenes,
    };
  }
}

function pick(overrides: SceneOverrides | undefined): Partial<Scene> {
  if (!overrides) return {};
  return {
    ...(overrides.prompt !== undefined ? { prompt: overrides.prompt } : {}),
    ...(overrides.negativePrompt !== undefined ? { negativePrompt: overrides.negativePrompt } : {}),
  };
}
