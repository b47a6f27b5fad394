import { sceneActivityOf, type Progress, type SceneProgress } from '../schema/progress';

/**
 * A scene's status as a person should read it: a gate scene held for a person's decision, or a
 * keyframe on an open storyboard, is `awaiting_approval`, not `scoring` (the workflow's word for
 * a scene being judged, by a scorer or a person). A keyframe on the storyboard waits for the
 * release even while another scene's keyframe is still being made or redone, when the storyboard
 * is not yet among what the run waits on. A running `pipeline: keyframe` attempt says which of
 * its two paid steps it is at, `keyframe` or `animating`.
 */
export function sceneStatusOf(scene: SceneProgress, progress: Progress): string {
  const asked = progress.waitingOn.some(
    (w) => (w.kind === 'approval' || w.kind === 'storyboard') && w.sceneIds.includes(scene.id)
  );
  const onBoard = progress.storyboard?.status === 'open' && progress.storyboard.sceneIds.includes(scene.id);
  return (asked || onBoard) && scene.status === 'scoring' ? 'awaiting_approval' : sceneActivityOf(scene);
}
