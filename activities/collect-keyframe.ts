import fs from 'node:fs/promises';
import type Replicate from 'replicate';
import { IMAGE_MAGIC_BYTES, IMAGE_TYPE_NAMES, imageTypeOf } from '../common/reference-file';
import { keyFor, type Storage } from '../common/storage/storage';
import { collectKeyframeInputSchema, type CollectKeyframeInput, type StoredKeyframe } from '../schema/activities';
import { FailureType } from '../schema/failures';
import { MediaToolError, runFfmpeg } from '../media/ffmpeg';
import { downloadOutput, OutputGoneError, OutputRefusedError, providerOutputs } from './download';
import { collectFailure, outputToCollect } from './collected-output';
import { whileHeartbeating } from './heartbeat';
import { parseInput } from './parse-input';
import type { ReplicateConnection } from './replicate/client';
import { publishReference } from './reference-upload';

/** Frames per second of a keyframe's still clip: enough for every sampling time the scorers pick in its second. */
const STILL_FPS = 12;

/**
 * A one-second clip of a still image (even sides, yuv420p, as clips are): `scoreClip` and
 * `sampleFrames` read clips, and measure a keyframe through it as they measure a scene's clip.
 */
async function stillClip(image: string, out: string): Promise<void> {
  await runFfmpeg([
    '-y',
    '-loop',
    '1',
    '-i',
    image,
    '-t',
    '1',
    '-r',
    String(STILL_FPS),
    '-vf',
    'scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    out,
  ]);
}

/**
 * Builds `collectKeyframe`: a finished keyframe prediction's image copied into storage, then put
 * where the video model fetches it, as a reference is: a presigned URL of the stored copy with
 * object storage, else a Files API upload. The prediction's own output URL is never handed on:
 * Replicate removes outputs after an hour, and a storyboard may wait a day for a person. Failures
 * are those of `collectClip` (PredictionFailed, OutputUnusable), final: the workflow makes another
 * attempt. Beside the image it stores a one-second still clip of it, which the scorers read.
 */
export function makeCollectKeyframe(deps: { replicate: Replicate; connection: ReplicateConnection; storage: Storage }) {
  const allowed = providerOutputs(deps.connection.baseUrl);
  const final = collectFailure(deps.connection.redact);

  return async function collectKeyframe(raw: CollectKeyframeInput): Promise<StoredKeyframe> {
    const { generationId, sceneId, attempt, prediction } = parseInput(
      collectKeyframeInputSchema,
      raw,
      'collectKeyframe'
    );
    const label = `scene ${sceneId} attempt ${attempt} keyframe`;
    const output = outputToCollect(prediction, label, final);
    const name = `${sceneId}-a${attempt}`;
    const file = await deps.storage.scratchFile(keyFor(generationId, 'keyframes', `${name}.download`));
    try {
      const bytes = await whileHeartbeating(`downloading ${prediction.id}`, async () => {
        await downloadOutput(output, file, allowed);
        return fs.readFile(file);
      });
      const type = imageTypeOf(bytes.subarray(0, IMAGE_MAGIC_BYTES));
      if (!type) {
        throw final(
          FailureType.OutputUnusable,
          `${label}: ${output} is not a ${IMAGE_TYPE_NAMES} image`,
          prediction.id
        );
      }
      const key = keyFor(generationId, 'keyframes', `${name}.${type.ext}`);
      const sizeBytes = await deps.storage.put(key, bytes, type.mime);
      const stillClipPath = keyFor(generationId, 'keyframes', `${name}.mp4`);
      const still = await deps.storage.scratchFile(stillClipPath);
      try {
        await stillClip(file, still);
        await deps.storage.putFile(stillClipPath, still);
      } catch (err) {
        if (!(err instanceof MediaToolError)) throw err;
        throw final(
          FailureType.OutputUnusable,
          `${label}: ${output} could not be decoded: ${err.message}`,
          prediction.id
        );
      } finally {
        await fs.rm(still, { force: true });
      }
      const published = await publishReference(
        deps,
        { key, mime: type.mime, bytes },
        { generationId, sceneId, keyframe: String(attempt) },
        label
      );
      return {
        key,
        stillClipPath,
        modelUrl: published.url,
        sizeBytes,
        ...(published.expiresAt !== undefined ? { expiresAt: published.expiresAt } : {}),
      };
    } catch (err) {
      if (err instanceof OutputGoneError || err instanceof OutputRefusedError) {
        throw final(FailureType.OutputUnusable, `${label}: ${err.message}`, prediction.id);
      }
      throw err;
    } finally {
      await fs.rm(file, { force: true });
    }
  };
}
