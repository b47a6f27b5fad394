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
import type { PreparedReference } from '../schema/activities';
import { FailureType } from '../schema/failures';
import { VisionUnavailableError } from '../media/vision/vision-packages';
import { VisionReferenceError, type VisionScoreRequest, type VisionScoreResult } from '../media/vision/vision-scorer';
import { ApplicationFailure } from '@temporalio/common';

/** Frames are scored within minutes of their sampling; an hour leaves room for retries. */
const FRAME_URL_LIFETIME_SEC = 3600;

/** What scoreClip asks of the `vision` scorer: its own process in a worker, one in-process scorer in a test. */
export interface VisionScoring {
  score(request: VisionScoreRequest): Promise<VisionScoreResult>;
}

type PerReference = ScoreClipResult['perReference'][number];

/**
 * Builds the scoring activities. `scoreClip` measures a clip against the scene's references on
 * the worker, each with the scorer preparation chose for it: `vision` (faces for characters,
 * local features for products and styles, in the scorer's own process; free) or `local` (the
 * reference's pixels searched for in the frames; free). `sampleFrames` makes frames readable by
 * the `clip` scorer (presigned storage URLs with a bucket; the Files API on the emulator), whose
 * paid CLIP predictions the workflow runs like any other and whose score it computes from their
 * embeddings, so a retry never scores other frames than it sent.
 */
export function makeScoreClip(deps: {
  replicate: Replicate;
  connection: ReplicateConnection;
  storage: Storage;
  vision: VisionScoring;
}): Pick<Activities, 'scoreClip' | 'sampleFrames'> {
  async function scoreWithVision(
    clipPath: string,
    references: PreparedReference[]
  ): Promise<{ perReference: PerReference[]; cpuSec: number }> {
    const request = {
      clipPath,
      references: await Promise.all(
        references.map(async (r) => ({
          key: r.sha256,
          path: await deps.storage.localFile(r.localPath),
          kind: r.kind ?? 'character',
        }))
      ),
    };
    const result = await deps.vision.score(request).catch((err: unknown) => {
      throw visionFailure(
        err,
        references,
        request.references.map((r) => r.path)
      );
    });
    return {
      cpuSec: result.cpuSec,
      perReference: references.map((ref, i) => ({
        groupId: ref.groupId,
        source: ref.source,
        ...result.perReference[i]!,
      })),
    };
  }

  async function scoreWithLocal(clipPath: string, references: PreparedReference[]): Promise<PerReference[]> {
    const result = await scoreConsistency({
      clipPath,
      referencePaths: await Promise.all(references.map((r) => deps.storage.localFile(r.localPath))),
    });
    return references.map((ref, i) => ({
      groupId: ref.groupId,
      source: ref.source,
      score: result.perReference[i]?.score ?? 0,
    }));
  }

  async function scoreClip(raw: ScoreClipInput): Promise<ScoreClipResult> {
    const input = parseInput(scoreClipInputSchema, raw, 'scoreClip');
    return whileHeartbeating('scoring', async () => {
      const clipPath = await deps.storage.localFile(input.clipPath);
      const byVision = input.references.filter((r) => r.scorer === 'vision');
      const byLocal = input.references.filter((r) => r.scorer !== 'vision');
      const vision = byVision.length ? await scoreWithVision(clipPath, byVision) : undefined;
      const local = byLocal.length ? await scoreWithLocal(clipPath, byLocal) : [];
      // the references' own order, whichever scorer measured each
      const scored = [...(vision?.perReference ?? []), ...local];
      const perReference = input.references.map((r) => scored[[...byVision, ...byLocal].indexOf(r)]!);
      return { score: aggregateScore(perReference), perReference, ...(vision ? { cpuSec: vision.cpuSec } : {}) };
    });
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

/**
 * A vision scorer's failure as the workflow sees it: a missing package or a reference without a
 * face cannot be fixed by retrying (non-retryable, naming what to change); anything else (the
 * scorer process died) is retried.
 */
function visionFailure(err: unknown, references: readonly PreparedReference[], paths: readonly string[]): unknown {
  if (err instanceof VisionUnavailableError) {
    return ApplicationFailure.create({
      type: FailureType.ScorerUnavailable,
      nonRetryable: true,
      message: `gate.scorer "vision": ${err.message}`,
    });
  }
  if (err instanceof VisionReferenceError) {
    const source = references[paths.indexOf(err.referencePath)]?.source ?? 'a reference image';
    return ApplicationFailure.create({
      type: FailureType.InvalidReference,
      nonRetryable: true,
      message: `${source}: ${err.message}`,
    });
  }
  return err;
}
