import type { PrepareGenerationResult, RenewReferencesResult } from '../../schema/activities';
import type { Plan } from '../../schema/plan';
import type { GenerationStatus } from '../../schema/progress';
import type { Budget } from './budget';
import type { ConsistencyChecks } from './consistency-checks';
import type { Gate } from './gate';
import type { Instruments } from './instruments';
import type { PaidCalls } from './paid-calls';
import type { SceneState } from './scene-state';
import type { SceneScheduler } from './scheduler';
import type { Storyboard } from './storyboard';

/** How the workflow around a generation hears of it. */
export interface GenerationHooks {
  /** The workflow's clock (ms since the epoch): the generation reads the time nowhere else. */
  now(): number;
  /** Something changed (the workflow may publish the progress now, or once per activation). */
  changed(): void;
  /** The generation started stopping: every scene in flight is cancelled. */
  stopping(): void;
  /** How many scene tasks run now. */
  inFlight(): number;
  /** Where the generation's metrics go; none unless given. */
  instruments?: Instruments;
}

/** Patches the workflow read: runs begun before each keep replaying as they ran. */
export interface GenerationPatches {
  /** A scene gives its slot back when its prediction ends, not once its clip is in. */
  slotPerPrediction: boolean;
  /** Every change is recorded; before, a booking, an instant reservation, a queued scene and a score call opening were not. */
  recordEveryChange: boolean;
  /** A prediction without a webhook is read promptly, not first at its typical time and then every predictionCheck. */
  promptReads: boolean;
}

/** Why the generation is stopping early: the failure it will end with. */
export interface StopReason {
  type: string;
  message: string;
}

/**
 * What a generation's rule classes share: its parts, its stop, and how a change is recorded.
 * `Generation` builds it once and hands it to the classes it composes (scene attempts, gate
 * verdicts, operator actions); nothing else sees the parts.
 */
export interface GenerationParts {
  plan: Plan;
  generationId: string;
  budget: Budget;
  gate: Gate;
  /** The consistency check after the gate (`plan.consistency`). */
  checks: ConsistencyChecks;
  calls: PaidCalls;
  scheduler: SceneScheduler;
  /** Keyframes waiting for a person before their clips (`keyframe.storyboard: approve`). */
  storyboard: Storyboard;
  /** Scenes whose keyframe may still come to the storyboard. */
  keyframesStillComing(): string[];
  instruments: Instruments;
  order: readonly string[];
  /** A scene gives its slot back when its prediction ends, not once its clip is in. */
  slotPerPrediction: boolean;
  /** A prediction without a webhook is read promptly (see `readSchedule`). */
  promptReads: boolean;
  scene(id: string): SceneState;
  /** What preparation resolved (the model, the references, the scorer); throws before it. */
  prepared(): PrepareGenerationResult;
  /** References uploaded again near their expiry: their new URLs replace the old ones (recorded). */
  renewReferences(renewed: RenewReferencesResult['renewed']): void;
  stop(): StopReason | null;
  /** Stops the generation for `reason` (the first reason wins; recorded): every scene in flight is cancelled. */
  halt(reason: StopReason): void;
  /** The generation's status, and whether it is assembling. */
  status(): GenerationStatus;
  assembling(): boolean;
  finished(): boolean;
  /** How many scene tasks run now. */
  inFlight(): number;
  now(): number;
  /** Records a change: what waits on the generation's version wakes. */
  record(): void;
  /** Records a change that runs begun before every change was recorded did not record (they replay as they ran). */
  recordNew(): void;
}

/** What a scene shows to the code that drives it and reports on it; its changes go through the generation. */
export type SceneView = Pick<
  SceneState,
  | 'id'
  | 'index'
  | 'isGate'
  | 'status'
  | 'scene'
  | 'history'
  | 'attempts'
  | 'clip'
  | 'lastError'
  | 'gateMisses'
  | 'driftMisses'
  | 'exhausted'
  | 'latest'
  | 'nextStrength'
  | 'shownStrength'
  | 'attemptDurations'
>;

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
