import type { Plan } from '../../schema/plan';
import type { ConsistencyCheck, ConsistencyProgress } from '../../schema/progress';

/** A person's answer to a scene that drifted and waits for one (`approveScene`, `rejectScene`). */
export interface SceneDecision {
  approved: boolean;
  /** The approval's note, or the rejection's reason. */
  text: string;
}

/** What a drift leads to: the scene is made again, a person is asked, or the clip is kept and flagged. */
export type DriftStep = 'regenerate' | 'ask' | 'flag';

/**
 * The scenes the consistency check scores: those the plan's `consistency.scenes` names (every
 * scene with `all`), less those that name no consistency group (there is nothing to compare).
 * Gate scenes are in it too; the gate judges them while it runs, the check only after.
 */
export function checkedScenes(plan: Pick<Plan, 'scenes' | 'consistency'>): string[] {
  const wanted = plan.consistency?.scenes;
  if (!wanted) return [];
  return plan.scenes
    .filter((s) => s.entities.length > 0 && (wanted === 'all' || wanted.includes(s.id)))
    .map((s) => s.id);
}

/**
 * The scenes whose keyframes are scored before their clips are paid for: with `pipeline:
 * keyframe`, every scene that shows a consistency group.
 */
export function keyframeCheckedScenes(plan: Pick<Plan, 'scenes' | 'pipeline'>): string[] {
  if (plan.pipeline !== 'keyframe') return [];
  return plan.scenes.filter((s) => s.entities.length > 0).map((s) => s.id);
}

/** One reference's score of a clip, with where a worker-side scorer saw it. */
export interface ScoredReference {
  groupId: string;
  score: number;
  source?: string;
  framesSampled?: number;
  framesWithSubject?: number;
  lowestFrameSec?: number;
}

/** Where each group was seen, by its best-scoring reference. */
export type GroupFrames = NonNullable<ConsistencyCheck['frames']>;

/** Each group's best reference and where it was seen; undefined when the scorer says nothing of frames (CLIP). */
export function framesByGroup(perReference: readonly ScoredReference[]): GroupFrames | undefined {
  const best = new Map<string, ScoredReference>();
  for (const r of perReference) {
    if (r.source === undefined || r.framesSampled === undefined) continue;
    const held = best.get(r.groupId);
    if (!held || r.score > held.score) best.set(r.groupId, r);
  }
  if (best.size === 0) return undefined;
  return Object.fromEntries(
    [...best].map(([groupId, r]) => [
      groupId,
      {
        source: r.source!,
        framesSampled: r.framesSampled,
        ...(r.framesWithSubject !== undefined ? { framesWithSubject: r.framesWithSubject } : {}),
        ...(r.lowestFrameSec !== undefined ? { lowestFrameSec: r.lowestFrameSec } : {}),
      },
    ])
  );
}

/** The groups found in none of the frames the scorer looked at (`frames` from `framesByGroup`). */
export function unseenOf(frames: GroupFrames | undefined): string[] {
  return Object.entries(frames ?? {})
    .filter(([, seen]) => seen.framesWithSubject === 0)
    .map(([groupId]) => groupId);
}

/** The groups found in none of the frames the scorer looked at, by their best reference. */
export function unseenGroups(perReference: readonly ScoredReference[]): string[] {
  return unseenOf(framesByGroup(perReference));
}

/** The clip's score from its groups' scores: its worst group (every character and product must survive). */
export function clipScoreOf(byGroup: Readonly<Record<string, number>>): number {
  const scores = Object.values(byGroup);
  return scores.length ? Math.min(...scores) : 0;
}

const rounded = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * The consistency check after the gate: which scenes it scores, the threshold, every check
 * and what it led to, the drifts each scene had, and the people asked about one. Pure state:
 * the drift verdicts (drift-verdicts.ts) change it, the progress report reads it.
 */
export class ConsistencyChecks {
  readonly sceneIds: readonly string[];
  /** Scenes whose keyframes are checked (`pipeline: keyframe`). */
  readonly keyframeSceneIds: readonly string[];
  private readonly checks: ConsistencyCheck[] = [];
  private readonly drifts = new Map<string, number>();
  private readonly asking = new Set<string>();
  private readonly answers = new Map<string, SceneDecision>();

  constructor(private readonly plan: Plan) {
    this.sceneIds = checkedScenes(plan);
    this.keyframeSceneIds = keyframeCheckedScenes(plan);
  }

  get enabled(): boolean {
    return this.plan.consistency !== undefined;
  }
  /** The lowest score that is not a drift: the section's, else the gate's. */
  get threshold(): number {
    return this.plan.consistency?.threshold ?? this.plan.gate.threshold;
  }
  /** Scenes waiting for a person's decision on their drift. */
  get awaiting(): string[] {
    return [...this.asking];
  }

  includes(sceneId: string): boolean {
    return this.sceneIds.includes(sceneId);
  }

  /** True when the scene's keyframes are checked before their clips are paid for. */
  checksKeyframe(sceneId: string): boolean {
    return this.keyframeSceneIds.includes(sceneId);
  }

  /** What a drift leads to: the section's `onDrift`; keyframes without one are made again, clips flagged. */
  private get onDrift(): 'regenerate' | 'await-approval' | 'flag' {
    return this.plan.consistency?.onDrift ?? (this.keyframeSceneIds.length > 0 ? 'regenerate' : 'flag');
  }

  /** Drifts a scene had so far. */
  driftsOf(sceneId: string): number {
    return this.drifts.get(sceneId) ?? 0;
  }

  /** Records a scored clip (or keyframe) and says whether it drifted. */
  record(
    sceneId: string,
    attempt: number,
    byGroup: Record<string, number>,
    of: 'keyframe' | 'clip' = 'clip',
    frames?: GroupFrames
  ): ConsistencyCheck {
    const groups = Object.fromEntries(Object.entries(byGroup).map(([g, s]) => [g, rounded(s)]));
    const score = rounded(clipScoreOf(groups));
    const verdict = score >= this.threshold ? 'pass' : 'drift';
    // a direct run's checks are all of clips and say nothing of it, as before keyframes
    const what = this.keyframeSceneIds.length > 0 ? { of } : {};
    const check: ConsistencyCheck = {
      ...{ sceneId, attempt, score, byGroup: groups, ...what, verdict, outcome: 'kept' as const },
      ...(frames ? { frames } : {}),
    };
    this.checks.push(check);
    if (verdict === 'drift') this.drifts.set(sceneId, this.driftsOf(sceneId) + 1);
    return check;
  }

  /**
   * What the scene's latest drift leads to under `onDrift`: made again while its checked
   * attempts stay within `gate.maxAttempts`, else kept and flagged; a person is asked first
   * when the plan says so.
   */
  nextStep(sceneId: string): DriftStep {
    if (this.onDrift === 'await-approval') return 'ask';
    if (this.onDrift === 'regenerate' && this.mayRegenerate(sceneId)) return 'regenerate';
    return 'flag';
  }

  /** True while another attempt keeps the scene's checked attempts within `gate.maxAttempts`. */
  mayRegenerate(sceneId: string): boolean {
    return this.driftsOf(sceneId) < this.plan.gate.maxAttempts;
  }

  /** What the latest check of a scene led to. */
  settle(sceneId: string, outcome: ConsistencyCheck['outcome']): void {
    const check = this.checks.findLast((c) => c.sceneId === sceneId);
    if (check) check.outcome = outcome;
  }

  /** A drifted scene starts waiting for a person. */
  ask(sceneId: string): void {
    this.asking.add(sceneId);
    this.settle(sceneId, 'awaiting');
  }

  /** The decision given to a scene waiting for one, if any. */
  answerFor(sceneId: string): SceneDecision | undefined {
    return this.answers.get(sceneId);
  }

  /** Why a decision on `sceneId` is refused now, or null when the scene waits for one. */
  refuseDecision(sceneId: string): string | null {
    if (!this.asking.has(sceneId)) {
      const waiting = this.asking.size ? `waiting: ${[...this.asking].join(', ')}` : 'no scene waits for one';
      return `scene ${sceneId} is not waiting for a decision on its drift (${waiting})`;
    }
    const given = this.answers.get(sceneId);
    if (given) return `scene ${sceneId} was already ${given.approved ? 'approved' : 'rejected'}`;
    return null;
  }

  /** A person answers a scene waiting for one. */
  decide(sceneId: string, decision: SceneDecision): void {
    this.answers.set(sceneId, decision);
  }

  /** A scene stops waiting (answered, timed out or stopped): the answer, if one came. */
  endAsk(sceneId: string): SceneDecision | null {
    this.asking.delete(sceneId);
    const answer = this.answers.get(sceneId) ?? null;
    this.answers.delete(sceneId);
    return answer;
  }

  /** Scenes whose latest check drifted and whose clip stays: flagged, or kept by a person. */
  get driftedScenes(): string[] {
    return this.allSceneIds.filter((id) => {
      const latest = this.checks.findLast((c) => c.sceneId === id);
      return latest !== undefined && (latest.outcome === 'flagged' || latest.outcome === 'approved');
    });
  }

  /** Every scene checked, its keyframes or its clips, in plan order. */
  private get allSceneIds(): string[] {
    if (this.keyframeSceneIds.length === 0) return [...this.sceneIds];
    return this.plan.scenes
      .map((s) => s.id)
      .filter((id) => this.sceneIds.includes(id) || this.keyframeSceneIds.includes(id));
  }

  /** What the progress query shows of the check; null when the plan has none. */
  report(): ConsistencyProgress | null {
    if (!this.plan.consistency && this.keyframeSceneIds.length === 0) return null;
    return {
      threshold: this.threshold,
      onDrift: this.onDrift,
      sceneIds: this.allSceneIds,
      checks: this.checks.map((c) => ({
        ...c,
        byGroup: { ...c.byGroup },
        ...(c.frames ? { frames: { ...c.frames } } : {}),
      })),
      driftedScenes: this.driftedScenes,
    };
  }
}
