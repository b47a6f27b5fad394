import { CancellationScope, condition, isCancellation, log, patched } from '@temporalio/workflow';
import type { GenerationActivities } from './activity-options';
import { messageOf } from './failure-details';
import type { SceneAttempts } from './rules/scene-attempts';

/**
 * References near their URL's expiry are uploaded again before an attempt's create uses them
 * (a Files API upload lives 24 hours; a gate or budget may wait longer). Runs begun before this
 * sent the first URLs to the end, and still do.
 */
const RENEW_EXPIRING_REFERENCES = 'renew-expiring-references';
/** Likewise for a keyframe before its clip: runs begun before this animated the first URL. */
const RENEW_EXPIRING_KEYFRAME = 'renew-expiring-keyframe';

/**
 * Before a scene attempt's create: uploads again the references that could expire before its
 * model reads them (`expiringReferences`), one scene at a time. The upload is not cut off by a
 * cancel (the create that follows is not either). A renewal that fails leaves the old URLs: the
 * attempt may then fail and be tried again, as any failed attempt is.
 */
export async function renewExpiringReferences(attempts: SceneAttempts, acts: GenerationActivities): Promise<void> {
  if (attempts.renewal.busy) await condition(() => !attempts.renewal.busy);
  const expiring = attempts.renewal.expiring();
  if (expiring.length === 0 || !patched(RENEW_EXPIRING_REFERENCES)) return;
  attempts.renewal.busy = true;
  try {
    const { renewed } = await CancellationScope.nonCancellable(() =>
      acts.renewReferences.executeWithOptions(
        { summary: `upload ${expiring.length} reference(s) again before their URLs expire` },
        [{ generationId: attempts.generationId, references: expiring }]
      )
    );
    attempts.renewal.renewed(renewed);
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('uploading references again failed; the attempt uses their old URLs', { error: messageOf(err) });
  } finally {
    attempts.renewal.busy = false;
  }
}

/**
 * Before a keyframe's clip is created: publishes the keyframe again when its URL could expire
 * before the video model fetches it (a storyboard waits up to `gate.approvalTimeout`, a day by
 * default, as long as a Files API upload lives). As for references, the upload is not cut off by a
 * cancel, and one that fails leaves the old URL.
 */
export async function renewExpiringKeyframe(
  attempts: SceneAttempts,
  acts: GenerationActivities,
  sceneId: string,
  attempt: number
): Promise<void> {
  const keyframe = attempts.keyframe.expiring(sceneId);
  if (!keyframe || !patched(RENEW_EXPIRING_KEYFRAME)) return;
  try {
    const fresh = await CancellationScope.nonCancellable(() =>
      acts.renewKeyframe.executeWithOptions(
        { summary: `publish scene ${sceneId}'s keyframe again before its URL expires` },
        [{ generationId: attempts.generationId, sceneId, attempt, key: keyframe.path }]
      )
    );
    attempts.keyframe.renewed(sceneId, fresh);
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn("publishing the keyframe again failed; its clip uses the keyframe's old URL", {
      sceneId,
      error: messageOf(err),
    });
  }
}
