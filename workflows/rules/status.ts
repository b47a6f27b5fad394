import {
  sceneActivityOf,
  type GenerationStatus,
  type Progress,
  type SceneProgress,
  type Wait,
} from '../../schema/progress';
import type { GateStatus } from './gate';

/** What the status rules read of a generation at one moment. */
export interface StatusInputs {
  /** Named in each command a sentence suggests, so it can be copied as it stands. */
  generationId: string;
  current: GenerationStatus;
  stopping: { message: string } | null;
  prepared: boolean;
  assembling: boolean;
  gateStatus: GateStatus;
  /** Gate scenes waiting for a person. */
  gateAwaiting: readonly string[];
  /** Scenes that drifted from their references and wait for a person (`consistency.onDrift: await-approval`). */
  driftAwaiting?: readonly string[];
  /** Keyframes on a storyboard that a person may now release (none is still being made). */
  storyboardAwaiting?: readonly string[];
  /** Scenes waiting for money, each with what its next call needs. */
  moneyWaits: readonly { sceneId: string; needsUsd: number }[];
  budget: { availableUsd: number; limitUsd: number };
  /** Scenes out of attempts and waiting for an operator, with their last error. */
  opsWaits: readonly { sceneId: string; lastError: string | null }[];
  inFlight: number;
}

export interface DerivedStatus {
  status: GenerationStatus;
  waitingFor: string | null;
  waitingOn: Wait[];
}

const usd = (value: number): string => `${value.toFixed(2)} USD`;

/**
 * The generation's status and what it waits for, in a sentence naming the message that
 * unblocks it. A person's gate decision comes first, then money, then an operator: the status
 * shows the first, `waitingOn` lists all of them.
 */
export function deriveStatus(s: StatusInputs): DerivedStatus {
  const waitingOn: Wait[] = [];
  if (s.stopping) {
    return {
      status: s.current,
      waitingFor: `stopping (${s.stopping.message}); ${s.inFlight} scene(s) still being cancelled`,
      waitingOn,
    };
  }
  const sentences: string[] = [];
  const id = s.generationId;
  if (s.gateAwaiting.length > 0) {
    waitingOn.push({ kind: 'approval', sceneIds: [...s.gateAwaiting] });
    sentences.push(
      `a person to approve or reject gate scene ${s.gateAwaiting.join(', ')}: scenegate approve ${id} or reject ${id} --reason (updates approveGate {note?}, rejectGate {reason})`
    );
  }
  const drifted = s.driftAwaiting ?? [];
  if (drifted.length > 0) {
    waitingOn.push({ kind: 'drift', sceneIds: [...drifted] });
    sentences.push(
      `a person to keep or remake scene ${drifted.join(', ')}, which drifted from its references: scenegate approve-scene ${id} <scene> or reject-scene ${id} <scene> --reason (updates approveScene {sceneId, note?}, rejectScene {sceneId, reason})`
    );
  }
  const storyboard = s.storyboardAwaiting ?? [];
  if (storyboard.length > 0) {
    waitingOn.push({ kind: 'storyboard', sceneIds: [...storyboard] });
    sentences.push(
      `a person to release the storyboard of ${storyboard.length === 1 ? 'scene' : 'scenes'} ${storyboard.join(', ')} to animation: scenegate release ${id}; to make a keyframe again first: scenegate redo-keyframe ${id} <scene> --reason <why> (updates releaseStoryboard {note?}, redoKeyframe {sceneId, reason})`
    );
  }
  if (s.moneyWaits.length > 0) {
    waitingOn.push({ kind: 'budget', sceneIds: s.moneyWaits.map((w) => w.sceneId) });
    const needs = s.moneyWaits.map((w) => `${w.sceneId} needs ${usd(w.needsUsd)}`).join(', ');
    sentences.push(
      `money: ${needs}; ${usd(Math.max(0, s.budget.availableUsd))} of ${usd(s.budget.limitUsd)} left. scenegate budget ${id} --raise or --set (signals raiseBudget {amountUsd}, setBudget {limitUsd})`
    );
  }
  if (s.opsWaits.length > 0) {
    waitingOn.push({ kind: 'operator', sceneIds: s.opsWaits.map((w) => w.sceneId) });
    const list = s.opsWaits.map((w) => `${w.sceneId} (${w.lastError ?? 'failed'})`).join('; ');
    sentences.push(
      `an operator for failed scene ${list}: scenegate retry-scene ${id} <scene> or skip-scene ${id} <scene> (updates retryScene {sceneId, overrides?}, skipScene {sceneId}, abort {reason})`
    );
  }
  return {
    status: activeStatus(s, waitingOn[0]?.kind),
    waitingFor: sentences.length ? sentences.join('; and ') : null,
    waitingOn,
  };
}

function activeStatus(s: StatusInputs, first: Wait['kind'] | undefined): GenerationStatus {
  if (s.current === 'preparing' && !s.prepared) return 'preparing';
  if (first === 'approval' || first === 'drift' || first === 'storyboard') return 'awaiting_approval';
  if (first === 'budget') return 'awaiting_budget';
  if (first === 'operator') return 'awaiting_ops';
  if (s.assembling) return 'assembling';
  if (s.gateStatus === 'running') return 'gating';
  return s.prepared ? 'generating' : 'preparing';
}

/**
 * When the last scene should be done: the average finished attempt times the rounds still to
 * run (scenes left ÷ lanes the strategy runs at once), counted from `now`. Null before any
 * scene is done, while the generation waits for someone, and when nothing is left to run.
 */
export function estimateFinish(input: {
  now: number;
  status: GenerationStatus;
  scenes: readonly Pick<SceneProgress, 'status'>[];
  attemptMs: readonly number[];
  strategy: Progress['strategy'];
}): number | null {
  if (input.status !== 'generating' && input.status !== 'gating') return null;
  const done = input.scenes.filter((s) => s.status === 'succeeded').length;
  const left = input.scenes.filter((s) => s.status === 'pending' || s.status === 'running' || s.status === 'scoring');
  if (done === 0 || left.length === 0 || input.attemptMs.length === 0) return null;
  const average = input.attemptMs.reduce((a, b) => a + b, 0) / input.attemptMs.length;
  const { mode, concurrency } = input.strategy;
  const lanes = mode === 'sequential' ? 1 : mode === 'parallel' ? left.length : Math.min(concurrency, left.length);
  return input.now + Math.ceil(left.length / lanes) * average;
}

/** done ÷ scenes, rounded down, so 100 means every scene has its clip. */
export function percentDone(done: number, scenes: number): number {
  return scenes === 0 ? 0 : Math.floor((done / scenes) * 100);
}

/** `kitchen, street, office (+4 more)`: a few ids, so a line stays short however many scenes there are. */
function some(ids: readonly string[], max = 6): string {
  return ids.length > max ? `${ids.slice(0, max).join(', ')} (+${ids.length - max} more)` : ids.join(', ');
}

/** What each kind of wait needs, as the message that answers it. */
const answers: Record<Wait['kind'], (ids: string) => string> = {
  approval: (ids) => `a gate decision on ${ids} (update approveGate or rejectGate)`,
  budget: (ids) => `money for ${ids} (signal raiseBudget or setBudget)`,
  operator: (ids) => `an operator for ${ids} (update retryScene, skipScene or abort)`,
  drift: (ids) => `a decision on drifted ${ids} (update approveScene or rejectScene)`,
  storyboard: (ids) => `the storyboard's release, keyframes of ${ids} (update releaseStoryboard or redoKeyframe)`,
};

/** Scenes whose latest consistency check drifted and that are not being made again: flagged, kept or waiting for a person. */
export function driftedNow(progress: Pick<Progress, 'consistency'>): string[] {
  const latest = new Map((progress.consistency?.checks ?? []).map((c) => [c.sceneId, c]));
  return [...latest.values()]
    .filter((c) => c.verdict === 'drift' && c.outcome !== 'regenerated' && c.outcome !== 'rejected')
    .map((c) => c.sceneId);
}

/**
 * The markdown the Web UI shows as the workflow's current details: three or four short lines.
 * The Web UI draws it in a frame sized a fifth shorter than its content, so anything longer
 * is cut off (a per-scene table among them); its markdown reads `$…$` as a formula and `1/6`
 * as a fraction, so neither appears. The whole story is in the progress query and the console.
 */
export function currentDetails(progress: Progress): string {
  const { totals, budget } = progress;
  const eta = progress.etaAt ? ` · done about ${progress.etaAt.slice(11, 19)} UTC` : '';
  const gate = progress.gate.status === 'disabled' ? '' : ` · gate ${progress.gate.status}`;
  const byStatus = new Map<string, string[]>();
  for (const s of progress.scenes) {
    const shown = sceneActivityOf(s);
    byStatus.set(shown, [...(byStatus.get(shown) ?? []), s.id]);
  }
  const scenes = [...byStatus].map(([status, ids]) => `${status}: ${some(ids)}`).join(' · ');
  // on the first line: the Web UI's frame cuts off the last ones
  const review = progress.consoleUrl ? ` · [review in the console](${progress.consoleUrl})` : '';
  const drifted = driftedNow(progress);
  const waiting = progress.waitingOn.map((w) => answers[w.kind](some(w.sceneIds, 3))).join('; ');
  // hard line breaks, not paragraphs: paragraph gaps would use up the frame
  return [
    `**${progress.status}** · ${totals.done} of ${totals.scenes} done (${totals.percent}%) · ${budget.spentUsd.toFixed(2)} of ${budget.limitUsd.toFixed(2)} USD spent${gate}${eta}${review}`,
    ...(waiting ? [`**Waiting for** ${waiting}`] : []),
    `**Scenes** ${scenes}`,
    ...(drifted.length
      ? [`**Drifted** ${some(drifted)} (below the consistency threshold ${progress.consistency!.threshold})`]
      : []),
  ].join('  \n');
}
