import type { Progress, SceneProgress } from '../schema/progress';

/**
 * A scene's status as a person should read it: a gate scene held for a person's decision is
 * `awaiting_approval`, not `scoring` (the workflow's word for a gate scene being judged, by CLIP,
 * the local scorer or a person).
 */
export function sceneStatusOf(scene: SceneProgress, progress: Progress): string {
  const asked = progress.waitingOn.some((w) => w.kind === 'approval' && w.sceneIds.includes(scene.id));
  return asked && scene.status === 'scoring' ? 'awaiting_approval' : scene.status;
}
