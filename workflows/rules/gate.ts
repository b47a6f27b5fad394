import type { Plan } from '../../schema/plan';
import type { Progress } from '../../schema/progress';

export type GateStatus = Progress['gate']['status'];

/** A person's answer to a gate scene waiting for one. */
export interface GateDecision {
  approved: boolean;
  /** The approval's note, or the rejection's reason. */
  text: string;
}

/**
 * Which scenes the consistency gate checks before the rest are released: scene 1, then the
 * first scene of every consistency group scene 1 does not show. Every character and product
 * is thus checked against its references once before money goes on the scenes that reuse it.
 */
export function gateScenes(plan: Pick<Plan, 'scenes' | 'gate'>): string[] {
  if (!plan.gate.enabled) return [];
  const covered = new Set<string>();
  const gated: string[] = [];
  plan.scenes.forEach((scene, i) => {
    const fresh = scene.entities.some((e) => !covered.has(e));
    if (i === 0 || fresh) {
      gated.push(scene.id);
      for (const e of scene.entities) covered.add(e);
    }
  });
  return gated;
}

/**
 * The first-scene consistency gate: its scenes, its status, the scores and decisions made,
 * and the reference strengths and seed it escalates after each miss. Scene attempts ask it
 * how to judge a clip; operators answer it through `decide`.
 */
export class Gate {
  readonly sceneIds: readonly string[];
  readonly scores: Progress['gate']['scores'] = [];
  private state: GateStatus;
  private readonly rejections: string[] = [];
  private approvedAny = false;
  private readonly asking = new Set<string>();
  /** Gate scenes whose keyframe passed (`pipeline: keyframe`): the gate needs no clip of theirs to release the rest. */
  private readonly cleared = new Set<string>();
  private readonly answers = new Map<string, GateDecision>();
  private readonly strengths = new Map<string, number>();
  /** Gate misses per consistency group. */
  private readonly misses = new Map<string, number>();
  /** Each group's strength and misses, and the seed, as they were before the group's latest miss. */
  private readonly beforeMiss = new Map<string, { strength: number; misses: number; seed: number }>();
  private currentSeed: number;

  constructor(private readonly plan: Plan) {
    this.sceneIds = gateScenes(plan);
    this.state = plan.gate.enabled ? 'pending' : 'disabled';
    for (const group of plan.consistencyGroups) this.strengths.set(group.id, group.strength);
    this.currentSeed = plan.seed;
  }

  get status(): GateStatus {
    return this.state;
  }
  get threshold(): number {
    return this.plan.gate.threshold;
  }
  /** The seed every scene is made with; a miss may change it (`gate.reseedOnFail`). */
  get seed(): number {
    return this.currentSeed;
  }
  /** Gate scenes waiting for a person. */
  get awaiting(): string[] {
    return [...this.asking];
  }

  includes(sceneId: string): boolean {
    return this.sceneIds.includes(sceneId);
  }

  /** The gate scenes are released: from now on their clips are judged. */
  open(): void {
    if (this.sceneIds.length > 0) this.state = 'running';
  }

  /** True while gate clips are judged (before the gate passed, failed, or when it is disabled). */
  get judging(): boolean {
    return this.state === 'running' || this.state === 'awaiting_approval';
  }

  /** The reference strength of a scene made of these groups: the strongest of them. */
  strengthOf(entities: readonly string[]): number {
    const values = entities.map((e) => this.strengths.get(e) ?? 0);
    return values.length ? Math.max(...values) : 0;
  }

  /** How far the gate escalated a scene made of these groups: the most misses any of them had. */
  escalationOf(entities: readonly string[]): number {
    return Math.max(0, ...entities.map((e) => this.misses.get(e) ?? 0));
  }

  /** Records a scored gate attempt (`unseen`: groups found in no frame) and says whether it passed. */
  score(sceneId: string, attempt: number, strength: number, score: number, unseen: string[] = []): 'pass' | 'miss' {
    this.scores.push({ sceneId, attempt, strength, score, ...(unseen.length ? { unseen } : {}) });
    return score >= this.plan.gate.threshold ? 'pass' : 'miss';
  }

  /**
   * A gate attempt missed: the groups it shows get stronger references for every later attempt
   * and scene, and, when the plan says so, every scene gets a new seed.
   */
  miss(entities: readonly string[]): void {
    for (const groupId of entities) {
      const misses = this.misses.get(groupId) ?? 0;
      this.beforeMiss.set(groupId, { strength: this.strengths.get(groupId) ?? 0, misses, seed: this.currentSeed });
      this.misses.set(groupId, misses + 1);
      const next = Math.min(1, (this.strengths.get(groupId) ?? 0) + this.plan.gate.strengthStep);
      this.strengths.set(groupId, Math.round(next * 1000) / 1000);
    }
    if (this.plan.gate.reseedOnFail) this.currentSeed = (this.currentSeed + 1) % 2 ** 31;
  }

  /** A person rejected a manual-gate attempt; the reason goes into the failure if every attempt is rejected. */
  rejected(attempt: number, strength: number, reason: string): void {
    this.rejections.push(`attempt ${attempt} at strength ${strength}: ${reason}`);
  }

  /** A person approved a gate scene. */
  approved(): void {
    this.approvedAny = true;
  }

  /**
   * A person approved the last clip of a gate scene that missed on every attempt: the scenes
   * released after it are made as that clip was, not one step stronger, so they look like what
   * the person saw.
   */
  keepApproved(entities: readonly string[]): void {
    for (const groupId of entities) {
      const before = this.beforeMiss.get(groupId);
      if (!before) continue;
      this.strengths.set(groupId, before.strength);
      this.misses.set(groupId, before.misses);
      this.currentSeed = before.seed;
    }
  }

  /** A gate scene starts waiting for a person's decision. */
  ask(sceneId: string): void {
    this.asking.add(sceneId);
    this.state = 'awaiting_approval';
  }

  /** The decision given to a gate scene waiting for one, if any. */
  answerFor(sceneId: string): GateDecision | undefined {
    return this.answers.get(sceneId);
  }

  /** A gate scene stops waiting (answered, timed out or stopped); the gate runs on when none waits. */
  endAsk(sceneId: string): GateDecision | null {
    this.asking.delete(sceneId);
    const answer = this.answers.get(sceneId) ?? null;
    this.answers.delete(sceneId);
    if (this.state === 'awaiting_approval' && this.asking.size === 0) this.state = 'running';
    return answer;
  }

  /** Why a person's decision is refused now, or null when the gate waits for one. */
  refuseDecision(): string | null {
    if (this.state !== 'awaiting_approval' || this.asking.size === 0) {
      return `the gate is not waiting for a decision (gate ${this.state})`;
    }
    if ([...this.asking].every((id) => this.answers.has(id))) {
      return `gate scene ${[...this.asking].join(', ')} was already ${this.answers.get([...this.asking][0]!)!.approved ? 'approved' : 'rejected'}`;
    }
    return null;
  }

  /** Answers every gate scene waiting for a person; returns their ids. */
  decide(decision: GateDecision): string[] {
    const scenes = [...this.asking];
    for (const id of scenes) this.answers.set(id, decision);
    return scenes;
  }

  /** A gate scene's keyframe passed (scored or approved): what it validates is checked before any clip is paid for. */
  clear(sceneId: string): void {
    this.cleared.add(sceneId);
  }

  /** True once the gate scene's keyframe passed. */
  isCleared(sceneId: string): boolean {
    return this.cleared.has(sceneId);
  }

  /** Every gate scene has its clip, or its keyframe passed: the rest may be released. */
  pass(): void {
    this.state = this.approvedAny ? 'approved' : 'passed';
  }

  /** The gate ended without passing. */
  fail(): void {
    if (this.state !== 'disabled') this.state = 'failed';
  }

  /** Why the manual gate failed: every rejection with its attempt and strength. */
  get rejectionSummary(): string {
    return this.rejections.join('; ');
  }

  /**
   * What a person's rejection of a gate attempt leads to, in words: with the manual scorer a
   * rejection is a miss and the scene is made again stronger until the gate's attempts run out;
   * otherwise (a scorer's misses already spent them) the generation fails.
   */
  afterRejection(sceneId: string, misses: number, strength: number, manual: boolean): string {
    const { maxAttempts, strengthStep } = this.plan.gate;
    if (!manual || misses + 1 >= maxAttempts) {
      return `that was the last attempt at ${sceneId}: the generation fails as GateRejected`;
    }
    const next = Math.min(1, strength + strengthStep);
    return `${sceneId} is made again at strength ${Math.round(next * 1000) / 1000} (attempt ${misses + 2} of ${maxAttempts})`;
  }

  /** The scores a gate scene got, for a failure message: `0 at strength 0.6 (mara not seen), 0.52 at strength 0.75`. */
  scoresOf(sceneId: string): string {
    return this.scores
      .filter((s) => s.sceneId === sceneId)
      .map((s) => `${s.score} at strength ${s.strength}${s.unseen ? ` (${s.unseen.join(', ')} not seen)` : ''}`)
      .join(', ');
  }
}
