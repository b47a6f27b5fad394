import type { AttemptProgress } from '../../schema/progress';

/** A clip a scene attempt produced. */
export interface Clip {
  path: string;
  durationSec: number;
}

/** The keyframe a scene attempt made first (`pipeline: keyframe`), which its clip animates. */
export interface Keyframe {
  /** Where scenegate keeps the image: what the console shows. */
  path: string;
  /** The image as a one-second clip, what the scorers read (they sample frames of clips). */
  scorePath: string;
  /** The URL the image-to-video model fetches it from. */
  modelUrl: string;
  /** When `modelUrl` stops working (ms since the epoch); unset: not known. */
  expiresAt?: number;
}

/** Which paid step a keyframe attempt is at: making its keyframe, or animating it. */
export type AttemptStep = 'keyframe' | 'animating';

/** One attempt at a scene; its paid calls (their predictions and costs) are in `PaidCalls`. */
export interface SceneAttempt {
  n: number;
  strength: number;
  seed: number;
  status: AttemptProgress['status'];
  clip: Clip | null;
  /** Its keyframe and the step it is at, with `pipeline: keyframe`. */
  keyframe?: Keyframe;
  step?: AttemptStep;
  score: number | null;
  note: string | null;
  startedAt: number;
  endedAt: number | null;
}

/** What happens to a scene that used all its attempts (the plan's `onSceneFailure`). */
export type FailurePolicy = 'fail-fast' | 'continue' | 'await-ops';
