import type { AttemptProgress, Progress } from '../../schema/progress';
import { unseenIn } from '../unseen';
import { h, type Markup } from './markup';

/** ` · mara not found in any frame`: a score of 0 that means the scorer did not see the group, not a poor likeness. */
export function unseenNote(p: Progress, sceneId: string, a: AttemptProgress, of: 'keyframe' | 'clip'): Markup {
  const unseen = unseenIn(p, sceneId, a.attempt);
  if (!unseen.length) return h``;
  const where = of === 'keyframe' || (!a.clipPath && a.keyframePath) ? 'in the keyframe' : 'in any frame';
  return h` · <span class="unseen">${unseen.join(', ')} not found ${where}</span>`;
}
