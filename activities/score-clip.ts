import type Replicate from 'replicate';
import {
  sampleFramesInputSchema,
  scoreClipInputSchema,
  type SampledFrames,
  type SampleFramesInput,
  type ScoreClipInput,
  type ScoreClipResult,
} from '../schema/activities';
import { aggregateScore } from '../schema/consistency-score';
import { scoreConsistency } from '../media/consistency';
import { probeMedia } from '../media/ffmpeg';
import { encodePng, sampleFrames } from '../media/raw-image';
import { whileHeartbeating } from './heartbeat';
import type { Activities } from '../schema/activities';
import { parseInput } from './parse-input';
import type { ReplicateConnection } from './replicate/client';
import { toReplicateFailure } from './replicate/errors';
import type { Storage } from '../common/storage/storage';

/** Frames are scored within minutes of their sampling; an hour leaves room for retries. */
const FRAME_URL_LIFETIME_SEC = 3600;

/**
 * Builds the gate's scoring activities. `scoreClip` measures sampled frames against the
 * reference images on the worker (the `local` scorer, free). `sampleFrames` makes frames readable by
 * the `clip` scorer (presigned storage URLs with a bucket; the Files API on the emulator), whose paid CLIP predictions the workflow runs like any other and whose
 * score it computes from their embeddings, so a retry never scores other frames than it sent.
 */
export function makeScoreClip(deps: {
  replicate: Replicate;
  connection: ReplicateConnection;
  storage: Storage;
}): Pick<Activities, 'scoreClip' | 'sampleFrames'> {
  async function scoreClip(raw: ScoreClipInput): Promise<ScoreClipResult> {
    const input = parseInput(scoreClipInputSchema, raw, 'scoreClip');
    const result = await whileHeartbeating('scoring', async () =>
      scoreConsistency({
        clipPath: await deps.storage.localFile(input.clipPath),
        referencePaths: await Promise.all(input.references.map((r) => deps.storage.localFile(r.localPath))),
      })
    );
    const perReference = input.references.map((ref, i) => ({
      groupId: ref.groupId,
      source: ref.source,
      score: result.perReference[i]?.score ?? 0,
    }));
    return { score: aggregateScore(perReference), perReference };
  }

  async function sampleClipFrames(raw: SampleFramesInput): Promise<SampledFrames> {
    const input = parseInput(sampleFramesInputSchema, raw, 'sampleFrames');
    return whileHeartbeating('sampling frames', async () => {
      const clip = await deps.storage.localFile(input.clipPath);
      const { durationSec } = await probeMedia(clip);
      const frames = await sampleFrames(clip, durationSec, 3, 224, 224);
      const frameUrls: string[] = [];
      for (const [i, frame] of frames.entries()) {
        const png = await encodePng(frame);
        const name = `${input.sceneId}-a${input.attempt}-frame-${i}.png`;
        if (deps.storage.remote) {
          // the CLIP model fetches each URL itself, with no token: a presigned URL it can read, not a Files API one
          const key = `${input.clipPath}.frame-${i}.png`;
          await deps.storage.put(key, png, 'image/png');
          frameUrls.push(await deps.storage.location(key, FRAME_URL_LIFETIME_SEC, 'services'));
          continue;
        }
        try {
          const file = new File([new Uint8Array(png)], name, { type: 'image/png' });
          frameUrls.push(((await deps.replicate.files.create(file)) as { urls: { get: string } }).urls.get);
        } catch (err) {
          throw toReplicateFailure(err, `scoring scene ${input.sceneId}: uploading a frame`, deps.connection.redact);
        }
      }
      return { frameUrls };
    });
  }

  return { scoreClip, sampleFrames: sampleClipFrames };
}
