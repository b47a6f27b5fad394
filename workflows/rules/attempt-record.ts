import type { AttemptProgress } from '../../schema/progress';

/** A clip a scene attempt produced. */
export interface Clip {
  path: string;
  durationSec: number;
}

/** One attempt at a scene; its paid calls (their predictions and costs) are in `PaidCalls`. */
export interface SceneAttempt {
  n: number;
  strength: number;
  seed: number;
  status: AttemptProgress['status'];
  clip: Clip | null;
  score: number | null;
  note: string | null;
  startedAt: number;
  endedAt: number | null;
}

/** What happens to a scene that used all its attempts (the plan's `onSceneFailure`). */
export type FailurePolicy = 'fail-fast' | 'continue' | 'await-ops';
