import type { PrepareGenerationResult } from '../../schema/activities';
import type { FinalState, GenerationStatus, Progress, SceneProgress } from '../../schema/progress';
import type { Budget } from './budget';
import type { GenerationParts } from './generation-parts';
import type { PaidCalls } from './paid-calls';
import { estimateFinish, percentDone, type DerivedStatus } from './status';

/** What a report reads of a generation: its parts, and what it derived of them. */
export interface GenerationView extends Pick<
  GenerationParts,
  'generationId' | 'plan' | 'order' | 'scene' | 'gate' | 'checks' | 'storyboard'
> {
  budget: Pick<Budget, 'limitUsd' | 'spentUsd' | 'reservedUsd' | 'spentOn'>;
  /** Each attempt's prediction and cost. */
  calls: Pick<PaidCalls, 'ofAttempt'>;
  status: GenerationStatus;
  finished: boolean;
  waits: DerivedStatus;
  startedAt: number;
  updatedAt: number;
  /** Set once preparation is done. */
  preparation: PrepareGenerationResult | null;
}

const round = (usd: number): number => Math.round(usd * 1e6) / 1e6;
const iso = (ms: number): string => new Date(ms).toISOString();

/** Every scene as the progress query and the final state show it, attempts included. */
function scenesOf(g: GenerationView): SceneProgress[] {
  return g.order.map((id) => {
    const run = g.scene(id);
    const history = run.history.map((a) => ({ ...a, ...g.calls.ofAttempt(id, a.n) }));
    return {
      id,
      index: run.index,
      status: run.status,
      attempts: run.attempts,
      costUsd: round(g.budget.spentOn(id)),
      strength: run.shownStrength(g.gate.strengthOf(run.scene.entities)),
      score: run.history.findLast((a) => a.score !== null)?.score ?? null,
      clipPath: run.clip?.path ?? null,
      predictionId: history.findLast((a) => a.predictionId !== null)?.predictionId ?? null,
      lastError: run.lastError,
      isGateScene: run.isGate,
      history: history.map((a) => ({
        attempt: a.n,
        strength: a.strength,
        seed: a.seed,
        status: a.status,
        predictionId: a.predictionId,
        costUsd: a.costUsd === null ? null : round(a.costUsd),
        clipPath: a.clip?.path ?? null,
        ...(a.keyframe ? { keyframePath: a.keyframe.path } : {}),
        ...(a.keyframePredictionId ? { keyframePredictionId: a.keyframePredictionId } : {}),
        ...(a.step ? { step: a.step } : {}),
        score: a.score,
        note: a.note,
        startedAt: iso(a.startedAt),
        endedAt: a.endedAt === null ? null : iso(a.endedAt),
      })),
    };
  });
}

/** What the `progress` query answers. */
export function reportProgress(g: GenerationView): Progress {
  const scenes = scenesOf(g);
  const count = (...statuses: SceneProgress['status'][]): number =>
    scenes.filter((s) => statuses.includes(s.status)).length;
  const done = count('succeeded');
  const etaAt = estimateFinish({
    now: g.updatedAt,
    status: g.status,
    scenes,
    attemptMs: g.order.flatMap((id) => g.scene(id).attemptDurations),
    strategy: g.plan.strategy,
  });
  return {
    generationId: g.generationId,
    status: g.status,
    waitingFor: g.finished ? null : g.waits.waitingFor,
    waitingOn: g.finished ? [] : g.waits.waitingOn,
    model: g.preparation?.model.id ?? g.plan.model ?? 'the default model',
    ...(g.preparation?.keyframeModel ? { keyframeModel: g.preparation.keyframeModel.id } : {}),
    strategy: g.plan.strategy,
    seed: g.gate.seed,
    scenes,
    totals: {
      scenes: scenes.length,
      done,
      failed: count('failed', 'awaiting_ops'),
      skipped: count('skipped'),
      running: count('running', 'scoring'),
      percent: percentDone(done, scenes.length),
    },
    budget: {
      limitUsd: g.budget.limitUsd,
      spentUsd: round(g.budget.spentUsd),
      reservedUsd: round(g.budget.reservedUsd),
    },
    gate: {
      status: g.gate.status,
      sceneIds: [...g.gate.sceneIds],
      scores: g.gate.scores,
      threshold: g.plan.gate.threshold,
    },
    consistency: g.checks.report(),
    storyboard: g.storyboard.report(),
    references: (g.preparation?.references ?? []).map((r) => ({
      groupId: r.groupId,
      kind: g.plan.consistencyGroups.find((group) => group.id === r.groupId)?.kind ?? 'character',
      path: r.localPath,
    })),
    consoleUrl: g.preparation?.consoleUrl ?? null,
    startedAt: iso(g.startedAt),
    updatedAt: iso(g.updatedAt),
    etaAt: etaAt === null ? null : iso(etaAt),
  };
}

/** The state a generation ended in, for the memo and the failure's details. */
export function reportFinalState(g: GenerationView, status: GenerationStatus, reason: string): FinalState {
  const scenes = scenesOf(g);
  return {
    status,
    reason,
    spentUsd: round(g.budget.spentUsd),
    limitUsd: g.budget.limitUsd,
    scenesDone: scenes.filter((s) => s.status === 'succeeded').map((s) => s.id),
    clips: g.order.flatMap((id) => {
      const clip = g.scene(id).clip;
      return clip ? [{ sceneId: id, path: clip.path }] : [];
    }),
    scenes,
  };
}
