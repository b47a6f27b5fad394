import type { Plan } from '../../schema/plan';
import type { StoryboardProgress, SceneStatus } from '../../schema/progress';

/**
 * Whether a person sees every keyframe before any clip is paid for: `keyframe.storyboard:
 * approve`. Asked for, not implied by `gate.onFail: await-approval` (its default), which would
 * stop every keyframe run for a person.
 */
export function storyboardWanted(plan: Pick<Plan, 'pipeline' | 'keyframe'>): boolean {
  return plan.pipeline === 'keyframe' && plan.keyframe?.storyboard === 'approve';
}

/** Scenes whose keyframe may still come to the storyboard: not on it, and neither done nor given up. */
export function keyframesStillComing(
  scenes: readonly { id: string; status: SceneStatus }[],
  onStoryboard: readonly string[]
): string[] {
  const coming: SceneStatus[] = ['pending', 'running', 'scoring'];
  return scenes.filter((s) => coming.includes(s.status) && !onStoryboard.includes(s.id)).map((s) => s.id);
}

/**
 * The storyboard of a `pipeline: keyframe` generation whose plan asks a person to see every
 * keyframe before any clip is paid for (`keyframe.storyboard: approve`). A scene's keyframe that
 * passed its check waits on it; a person has single keyframes made again (`redoKeyframe`) and,
 * once no keyframe is still being made, releases the animation (`releaseStoryboard`). Keyframes
 * made after the release go straight on to their clips. Pure state: the keyframe steps change it.
 */
export class Storyboard {
  private state: 'off' | StoryboardProgress['status'];
  private readonly waiting = new Set<string>();
  private readonly redos = new Map<string, string>();
  private note: string | null = null;

  /** `order`: the plan's scenes, the order every list of the storyboard's keyframes is told in. */
  constructor(
    enabled: boolean,
    private readonly order: readonly string[]
  ) {
    this.state = enabled ? 'open' : 'off';
  }

  /** True while keyframes that passed wait for a person before their clips. */
  get holding(): boolean {
    return this.state === 'open';
  }
  /** Keyframes on the storyboard, in plan order (the strip's), whatever order they came in. */
  get sceneIds(): string[] {
    return this.order.filter((id) => this.waiting.has(id));
  }

  /** A scene's keyframe passed its check and waits for the release. */
  arrive(id: string): void {
    this.waiting.add(id);
  }

  /** Why a person asked for the scene's keyframe again, once asked. */
  redoOf(id: string): string | undefined {
    return this.redos.get(id);
  }

  /** The scene's keyframe leaves the storyboard: to its clip, made again, or the generation stopped. */
  leave(id: string): void {
    this.waiting.delete(id);
    this.redos.delete(id);
  }

  /** Why a release is refused now, given the scenes whose keyframes are still being made; null when it may go. */
  refuseRelease(stillComing: readonly string[]): string | null {
    if (this.state === 'off')
      return 'this generation has no storyboard to release (keyframe.storyboard is not "approve")';
    if (this.state === 'released') return 'the storyboard was already released';
    if (stillComing.length > 0) {
      return `keyframes are still being made for ${stillComing.join(', ')}; the storyboard can be released once they are on it`;
    }
    if (this.waiting.size === 0) return 'no keyframe is on the storyboard';
    return null;
  }

  /** A person released the storyboard: every keyframe on it is animated. */
  release(note: string): void {
    this.state = 'released';
    this.note = note;
  }

  /** Why a redo of the scene's keyframe is refused now, or null. */
  refuseRedo(id: string): string | null {
    if (this.state !== 'open') {
      return this.state === 'off'
        ? 'this generation has no storyboard (keyframe.storyboard is not "approve")'
        : 'the storyboard was already released: its clips are being made';
    }
    if (!this.waiting.has(id)) {
      const on = this.waiting.size ? `on it: ${this.sceneIds.join(', ')}` : 'no keyframe is on it yet';
      return `scene ${id}'s keyframe is not on the storyboard (${on})`;
    }
    if (this.redos.has(id)) return `scene ${id}'s keyframe is already being made again`;
    return null;
  }

  /** A person asks for the scene's keyframe again. */
  redo(id: string, reason: string): void {
    this.redos.set(id, reason);
  }

  /** What the progress query shows; null without a storyboard. */
  report(): StoryboardProgress | null {
    if (this.state === 'off') return null;
    return { status: this.state, sceneIds: this.sceneIds, ...(this.note ? { note: this.note } : {}) };
  }
}
