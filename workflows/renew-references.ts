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
