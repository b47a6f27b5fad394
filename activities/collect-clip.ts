import fs from 'node:fs/promises';
import { collectClipInputSchema, type CollectClipInput, type StoredClip } from '../schema/activities';
import { FailureType } from '../schema/failures';
import { MediaToolError } from '../media/ffmpeg';
import { clipDurationSec } from '../media/mp4-duration';
import { downloadOutput, OutputGoneError, OutputRefusedError, providerOutputs } from './download';
import { collectFailure, outputToCollect } from './collected-output';
import { whileHeartbeating } from './heartbeat';
import { parseInput } from './parse-input';
import type { ReplicateConnection } from './replicate/client';
import { keyFor, type Storage } from '../common/storage/storage';

/**
 * Builds `collectClip`: a finished scene prediction's video copied into storage. A failed (or
 * otherwise unfinished) prediction fails this activity with PredictionFailed and the model's
 * error, so the Web UI shows the failed run as a failed activity; an output already gone, not a
 * video, or not on a host Replicate serves outputs from fails it with OutputUnusable. Both are final: the workflow makes another attempt.
 */
export function makeCollectClip(deps: { storage: Storage; connection: ReplicateConnection }) {
  const allowed = providerOutputs(deps.connection.baseUrl);
  const final = collectFailure(deps.connection.redact);

  return async function collectClip(raw: CollectClipInput): Promise<StoredClip> {
    const { generationId, sceneId, attempt, prediction } = parseInput(collectClipInputSchema, raw, 'collectClip');
    const label = `scene ${sceneId} attempt ${attempt}`;
    const output = outputToCollect(prediction, label, final);
    const key = keyFor(generationId, 'clips', `${sceneId}-a${attempt}.mp4`);
    return whileHeartbeating(`downloading ${prediction.id}`, async () => {
      const file = await deps.storage.scratchFile(key);
      try {
        await downloadOutput(output, file, allowed);
        const durationSec = await clipDurationSec(file);
        const sizeBytes = await deps.storage.putFile(key, file);
        return { path: key, durationSec, sizeBytes };
      } catch (err) {
        if (err instanceof OutputGoneError || err instanceof OutputRefusedError || err instanceof MediaToolError) {
          throw final(FailureType.OutputUnusable, `${label}: ${err.message}`, prediction.id);
        }
        throw err;
      } finally {
        await fs.rm(file, { force: true });
      }
    });
  };
}
