import { sceneActivityOf, type Progress, type SceneProgress } from '../schema/progress';

/**
 * A scene's status as a person should read it: a gate scene held for a person's decision, or a
 * keyframe on a storyboard waiting for its release, is `awaiting_approval`, not `scoring` (the workflow's word for a gate scene being judged, by CLIP,
 * the local scorer or a person); a running `pipeline: keyframe` attempt says which of its two
 * paid steps it is at, `keyframe` or `animating`.
 */
export function sceneStatusOf(scene: SceneProgress, progress: Progress): string {
  const asked = progress.waitingOn.some(
    (w) => (w.kind === 'approval' || w.kind === 'storyboard') && w.sceneIds.includes(scene.id)
  );
  return asked && scene.status === 'scoring' ? 'awaiting_approval' : sceneActivityOf(scene);
}
