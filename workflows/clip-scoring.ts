import type { GenerationActivities } from './activity-options';
import { accountFailureOf, messageOf } from './failure-details';
import { reserve, runPaidCall } from './paid-call';
import { clipPerReference } from '../schema/consistency-score';
import type { SceneAttempts } from './rules/scene-attempts';

/** Tries at scoring one clip with CLIP before the scorer gives up. */
export const SCORE_TRIES = 3;

/** How paid CLIP scoring of a clip ended: each reference's score, a stop (already recorded), or a failure to report. */
export type ClipScoring =
  | { kind: 'scored'; perReference: { groupId: string; score: number }[] }
  | { kind: 'stop' }
  | { kind: 'failed'; message: string };

/**
 * CLIP scoring of a scene's latest clip, for the gate or the consistency check: frames uploaded
 * once, then up to SCORE_TRIES paid predictions, each reserved and booked in the same ledger as
 * the clips. An account-wide failure stops the generation here.
 */
export async function scoreWithClipModel(
  attempts: SceneAttempts,
  acts: GenerationActivities,
  id: string,
  clipPath: string,
  purpose: 'gate' | 'check'
): Promise<ClipScoring> {
  const attempt = attempts.scene(id).attempts;
  const { frameUrls } = await acts.sampleFrames.executeWithOptions(
    { summary: `${purpose}: sample frames of scene ${id} attempt ${attempt} for CLIP` },
    [{ sceneId: id, attempt, clipPath }]
  );
  let lastError = '';
  for (let tries = 1; tries <= SCORE_TRIES; tries++) {
    if (!(await reserve(attempts, attempts.scores.claim(id, tries)))) return { kind: 'stop' };
    const outcome = await runPaidCall(attempts, acts, attempts.scores.begin(id, tries, frameUrls));
    if (outcome.kind === 'final' && outcome.prediction.status === 'succeeded') {
      const perReference = clipPerReference(outcome.prediction.output, frameUrls, attempts.referencesOf(id));
      return { kind: 'scored', perReference };
    }
    lastError =
      outcome.kind === 'not-created'
        ? messageOf(outcome.failure)
        : `prediction ${outcome.prediction?.status ?? 'unconfirmed'}: ${outcome.prediction?.error ?? 'no output'}`;
    const account = outcome.kind === 'not-created' ? accountFailureOf(outcome.failure) : undefined;
    if (account) {
      attempts.halt(account);
      return { kind: 'stop' };
    }
  }
  return { kind: 'failed', message: `the CLIP scorer failed ${SCORE_TRIES} times (${lastError})` };
}
