import type { Scene, SceneOverrides } from '../../schema/plan';
import type { SceneStatus } from '../../schema/progress';
import type { Clip, FailurePolicy, Keyframe, SceneAttempt } from './attempt-record';

const rounded = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * One scene's lifecycle: its attempts and what each was made with, its status, the clip it
 * has, and what an operator may still do with it. Its status only changes through these
 * methods:
 *
 *   pending → running → (scoring →) succeeded
 *                     ↘ pending (another attempt)  ↘ failed | awaiting_ops (out of attempts)
 *   failed | awaiting_ops → pending (retryScene) | skipped (skipScene)
 *   anything unfinished → cancelled (the generation stopped) | failed (its gate failed)
 */
export class SceneState {
  private state: SceneStatus = 'pending';
  private readonly tried: SceneAttempt[] = [];
  /** Attempts allowed; gate misses and an operator's retry add more. */
  private allowance: number;
  /** Gate attempts that missed (scored below the threshold, or rejected by a person). */
  private misses = 0;
  private strengthOverride: number | null;
  /** Clips the consistency check found drifted and had made again. */
  private drifts = 0;
  /** What those drifts added to the groups' strength, and to the seed (`gate.reseedOnFail`). */
  private driftBoost = 0;
  private seedShift = 0;
  private definition: Scene;
  private currentClip: Clip | null = null;
  private error: string | null = null;

  constructor(
    scene: Scene,
    readonly index: number,
    readonly isGate: boolean,
    allowance: number
  ) {
    this.definition = {
      ...scene,
      ...(scene.overrides?.prompt !== undefined ? { prompt: scene.overrides.prompt } : {}),
      ...(scene.overrides?.negativePrompt !== undefined ? { negativePrompt: scene.overrides.negativePrompt } : {}),
    };
    this.strengthOverride = scene.overrides?.strength ?? null;
    this.allowance = allowance;
  }

  get id(): string {
    return this.definition.id;
  }
  get status(): SceneStatus {
    return this.state;
  }
  /** The scene as the next attempt makes it (an operator's overrides applied). */
  get scene(): Scene {
    return this.definition;
  }
  /** Every attempt so far, oldest first. */
  get history(): readonly Readonly<SceneAttempt>[] {
    return this.tried;
  }
  get attempts(): number {
    return this.tried.length;
  }
  get clip(): Clip | null {
    return this.currentClip;
  }
  get lastError(): string | null {
    return this.error;
  }
  get gateMisses(): number {
    return this.misses;
  }
  /** Clips the consistency check found drifted and had made again. */
  get driftMisses(): number {
    return this.drifts;
  }
  /** True when every allowed attempt was made. */
  get exhausted(): boolean {
    return this.tried.length >= this.allowance;
  }
  /** The attempt in progress or last made. */
  get latest(): SceneAttempt | undefined {
    return this.tried.at(-1);
  }

  /** The reference strength of the next attempt: the scene's own, else its groups' strongest (`groupStrength`). */
  nextStrength(groupStrength: number): number {
    return this.strengthOverride ?? Math.min(1, groupStrength + this.driftBoost);
  }
  /** The seed of the next attempt: the scene's own, else the generation's; a drift may move it on. */
  nextSeed(generationSeed: number): number {
    return ((this.definition.overrides?.seed ?? generationSeed) + this.seedShift) % 2 ** 31;
  }

  /** The strength shown for the scene: the one its clip was made with, else its latest attempt's, else the next one's. */
  shownStrength(groupStrength: number): number {
    const made = this.tried.findLast((a) => a.clip !== null && a.clip === this.currentClip) ?? this.latest;
    return made?.strength ?? this.nextStrength(groupStrength);
  }

  /** The scene waits for its next attempt (money, a slot, or its retry). */
  queue(): void {
    this.state = 'pending';
  }

  /** A paid attempt starts; with `keyframe`, by making its keyframe. */
  begin(strength: number, seed: number, now: number, keyframe = false): SceneAttempt {
    const attempt: SceneAttempt = {
      n: this.tried.length + 1,
      strength: rounded(strength),
      seed,
      status: 'running',
      clip: null,
      score: null,
      note: null,
      startedAt: now,
      endedAt: null,
      ...(keyframe ? { step: 'keyframe' as const } : {}),
    };
    this.tried.push(attempt);
    this.state = 'running';
    return attempt;
  }

  /** The latest attempt made its keyframe; it is judged before its clip is paid for. */
  keyframed(keyframe: Keyframe): void {
    this.requireLatest().keyframe = keyframe;
  }

  /** The latest attempt's keyframe passed: its clip is made from it. */
  animating(): void {
    const attempt = this.requireLatest();
    if (!attempt.keyframe) throw new Error(`scene ${this.id} attempt ${attempt.n} has no keyframe to animate`);
    attempt.step = 'animating';
    this.state = 'running';
  }

  /** The latest attempt made a clip; a gate scene is judged before it counts as done. */
  produced(clip: Clip, now: number): void {
    const attempt = this.requireLatest();
    Object.assign(attempt, { status: 'succeeded', clip, endedAt: now });
    this.currentClip = clip;
    this.error = null;
  }

  /** The latest attempt failed (the model failed, or its call failed for good); it is paid all the same. */
  failed(error: string, now: number): void {
    Object.assign(this.requireLatest(), { status: 'failed', note: error, endedAt: now });
    this.error = error;
  }

  /** The latest attempt was cancelled because the generation stopped. */
  cancelled(now: number): void {
    Object.assign(this.requireLatest(), { status: 'cancelled', endedAt: now });
    this.state = 'cancelled';
  }

  /** No further attempt can help (a bad input, an unknown model): the scene is out of attempts. */
  noMoreAttempts(): void {
    this.allowance = this.tried.length;
  }

  /** The gate (a scorer or a person) is judging the latest clip. */
  scoring(): void {
    this.state = 'scoring';
  }

  /** The gate's score of the latest clip. */
  scored(score: number): void {
    this.requireLatest().score = score;
  }

  /**
   * The latest gate attempt missed (`note`: a person's reason). The scene's own strength, if it
   * has one, rises by `step` (the gate raises its groups'); a miss does not use up the scene's
   * own attempts until the gate's `maxGateAttempts` are spent.
   */
  missed(note: string | null, maxGateAttempts: number, step: number): 'again' | 'exhausted' {
    const attempt = this.requireLatest();
    attempt.status = 'missed';
    attempt.note = note;
    this.misses++;
    if (this.strengthOverride !== null) this.strengthOverride = Math.min(1, this.strengthOverride + step);
    if (this.misses >= maxGateAttempts) return 'exhausted';
    this.allowance++;
    return 'again';
  }

  /**
   * The latest clip drifted from its references and the scene is made again as a gate miss
   * would make it: one `step` stronger (its own strength, or above its groups'), on the next
   * seed when `reseed`; the extra attempt does not use up the scene's own attempts.
   */
  drifted(note: string, step: number, reseed: boolean): void {
    const attempt = this.requireLatest();
    attempt.status = 'missed';
    attempt.note = note;
    this.drifts++;
    if (this.strengthOverride !== null) this.strengthOverride = Math.min(1, this.strengthOverride + step);
    else this.driftBoost = rounded(this.driftBoost + step);
    if (reseed) this.seedShift++;
    this.allowance++;
  }

  /** The scene has its clip. */
  succeed(): void {
    this.state = 'succeeded';
  }

  /** The scene used all its attempts: it fails, or waits for an operator. */
  giveUp(policy: FailurePolicy): void {
    this.state = policy === 'await-ops' ? 'awaiting_ops' : 'failed';
  }

  /** The generation stopped: an unfinished scene is cancelled, or failed when it was the gate scene that failed. */
  stop(gateFailed: boolean): void {
    if (this.state === 'succeeded' || this.state === 'skipped' || this.state === 'failed') return;
    if ((this.isGate && gateFailed && this.tried.length > 0) || this.state === 'awaiting_ops') this.state = 'failed';
    else if (this.state === 'running' || this.state === 'scoring') this.state = 'cancelled';
  }

  /** Why an operator may not retry or skip this scene now, or null. */
  refuseOperatorAction(action: 'retried' | 'skipped'): string | null {
    if (this.state !== 'awaiting_ops' && this.state !== 'failed') {
      return `scene ${this.id} is ${this.state}; only a failed scene can be ${action}`;
    }
    return null;
  }

  /** An operator gives the scene `extra` more attempts, optionally changed; returns what changed. */
  retry(extra: number, overrides: SceneOverrides | undefined): string[] {
    this.allowance = this.tried.length + extra;
    this.state = 'pending';
    const { prompt, negativePrompt, strength, seed } = overrides ?? {};
    if (strength !== undefined) this.strengthOverride = strength;
    this.definition = {
      ...this.definition,
      ...(prompt !== undefined ? { prompt } : {}),
      ...(negativePrompt !== undefined ? { negativePrompt } : {}),
      ...(seed !== undefined ? { overrides: { ...this.definition.overrides, seed } } : {}),
    };
    const changed: [unknown, string][] = [
      [prompt, 'a new prompt'],
      [negativePrompt, 'a new negative prompt'],
      [strength, `strength ${strength}`],
      [seed, `seed ${seed}`],
    ];
    return changed.flatMap(([value, what]) => (value === undefined ? [] : [what]));
  }

  /** An operator leaves the scene out of the video. */
  skip(): void {
    this.state = 'skipped';
  }

  /** Milliseconds each finished attempt took, for the ETA. */
  get attemptDurations(): number[] {
    return this.tried.flatMap((a) => (a.endedAt === null ? [] : [a.endedAt - a.startedAt]));
  }

  private requireLatest(): SceneAttempt {
    const attempt = this.tried.at(-1);
    if (!attempt) throw new Error(`scene ${this.id} has no attempt`);
    return attempt;
  }
}
