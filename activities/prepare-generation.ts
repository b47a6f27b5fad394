import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type Replicate from 'replicate';
import {
  prepareGenerationInputSchema,
  type PrepareGenerationInput,
  type PrepareGenerationResult,
  type PreparedReference,
} from '../schema/activities';
import type { Catalogue } from '../schema/catalogue';
import { FailureType } from '../schema/failures';
import {
  IMAGE_TYPE_NAMES,
  imageTypeOf,
  isRemoteReference,
  locateReference,
  ReferenceFileError,
} from '../common/reference-file';
import { runFfprobe } from '../media/ffmpeg';
import { modelProblems, referenceLimitProblem } from '../schema/plan-model-check';
import { findModel } from './catalogue';
import { parseInput } from './parse-input';
import type { ReplicateConnection } from './replicate/client';
import { toReplicateFailure } from './replicate/errors';
import { keyFor, type Storage } from '../common/storage/storage';

export interface PrepareGenerationDeps {
  replicate: Replicate;
  connection: ReplicateConnection;
  storage: Storage;
  catalogue: Catalogue;
  /** Folders local reference images may come from; anything else is refused. */
  referenceRoots: string[];
  limits: { maxBytes: number; minSide: number; maxSide: number };
}

/** How long a reference's presigned URL lives: the longest S3 allows, for generations that wait days for a person. */
const REFERENCE_URL_LIFETIME_SEC = 7 * 24 * 3600;

/** Resumption state: which images are already uploaded, by content hash. */
interface PrepareCheckpoint {
  uploaded: Record<string, string>;
}

function invalid(field: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.InvalidReference,
    nonRetryable: true,
    message: `${field}: ${message}`,
  });
}

async function imageSize(file: string): Promise<{ width: number; height: number } | undefined> {
  try {
    const out = await runFfprobe(['-print_format', 'json', '-show_entries', 'stream=width,height', file]);
    const stream = (JSON.parse(out.toString()) as { streams?: { width?: number; height?: number }[] }).streams?.[0];
    return stream?.width && stream.height ? { width: stream.width, height: stream.height } : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the `prepareGeneration` activity: checks and uploads every reference image once, and prices the model. */
export function makePrepareGeneration(deps: PrepareGenerationDeps) {
  async function readSource(source: string, field: string): Promise<Buffer> {
    if (isRemoteReference(source)) {
      if (!source.startsWith('https://'))
        throw invalid(field, `remote reference images must be https URLs, got ${source}`);
      const response = await fetch(source).catch((err: Error) => {
        throw ApplicationFailure.retryable(
          `${field}: fetching ${source} failed (${err.message})`,
          FailureType.ReplicateNetwork
        );
      });
      if (response.status >= 400 && response.status < 500)
        throw invalid(field, `${source} answered HTTP ${response.status}`);
      if (!response.ok)
        throw ApplicationFailure.retryable(
          `${field}: ${source} answered HTTP ${response.status}`,
          FailureType.ReplicateNetwork
        );
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > deps.limits.maxBytes)
        throw invalid(field, `${source} is ${declared} bytes; the limit is ${deps.limits.maxBytes}`);
      return Buffer.from(await response.arrayBuffer());
    }
    const real = await locateReference(source, deps.referenceRoots).catch((err: Error) => {
      throw err instanceof ReferenceFileError ? invalid(field, err.message) : err;
    });
    const stat = await fs.stat(real);
    if (stat.size > deps.limits.maxBytes)
      throw invalid(field, `${real} is ${stat.size} bytes; the limit is ${deps.limits.maxBytes}`);
    return fs.readFile(real);
  }

  return async function prepareGeneration(raw: PrepareGenerationInput): Promise<PrepareGenerationResult> {
    const input = parseInput(prepareGenerationInputSchema, raw, 'prepareGeneration');
    const ctx = Context.current();
    const { hosted } = deps.connection;
    const modelId = input.model ?? (hosted ? deps.catalogue.defaults.hosted : deps.catalogue.defaults.emulator);
    const model = findModel(deps.catalogue, modelId);
    // CLIP on hosted reads frames at URLs it can fetch without a token, which only a bucket gives
    const scorer = input.scorer ?? (hosted ? (deps.storage.remote ? 'clip' : 'manual') : 'local');
    // a plan started from the temporal CLI or the Web UI was never checked by a client: check it before paying
    const problems = modelProblems(
      {
        model: modelId,
        scenes: input.scenes,
        consistencyGroups: input.groups,
        ...(input.aspectRatio ? { aspectRatio: input.aspectRatio } : {}),
      },
      deps.catalogue
    );
    if (input.gateEnabled && hosted && scorer === 'local') {
      problems.push(
        `gate.scorer: "local" measures a clip against references the emulator pastes into it and cannot judge a hosted model's clips; use "clip" (CLIP features on Replicate, paid per score) or "manual" (a person decides)`
      );
    }
    if (input.gateEnabled && hosted && scorer === 'clip' && !deps.storage.remote) {
      problems.push(
        `gate.scorer: "clip" needs the frames and references at URLs the CLIP model fetches without a token, which this worker cannot give without object storage; set SCENEGATE_S3_BUCKET (presigned URLs), or use "manual" (a person decides)`
      );
    }
    if (problems.length > 0) {
      throw ApplicationFailure.create({
        type: FailureType.InvalidPlan,
        nonRetryable: true,
        message: problems.join('; '),
      });
    }
    const checkpoint: PrepareCheckpoint = {
      uploaded: {},
      ...(ctx.info.heartbeatDetails as PrepareCheckpoint | undefined),
    };
    const references: PreparedReference[] = [];
    // reading, checking and uploading images can take a while: keep heartbeating the uploads made so far
    const beat = setInterval(() => ctx.heartbeat(checkpoint), 1000);
    try {
      for (const [i, group] of input.groups.entries()) {
        for (const [j, source] of group.referenceImages.entries()) {
          const field = `consistencyGroups[${i}].referenceImages[${j}]`;
          const bytes = await readSource(source, field);
          if (bytes.length > deps.limits.maxBytes)
            throw invalid(field, `${source} is ${bytes.length} bytes; the limit is ${deps.limits.maxBytes}`);
          const type = imageTypeOf(bytes);
          if (!type) throw invalid(field, `${source} is not a ${IMAGE_TYPE_NAMES} image`);
          const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
          const key = keyFor(input.generationId, 'references', `${sha256.slice(0, 16)}.${type.ext}`);
          await deps.storage.put(key, bytes, type.mime);
          const size = await imageSize(await deps.storage.localFile(key));
          if (!size) throw invalid(field, `${source} could not be decoded as an image`);
          const { minSide, maxSide } = deps.limits;
          if (Math.min(size.width, size.height) < minSide || Math.max(size.width, size.height) > maxSide) {
            throw invalid(
              field,
              `${source} is ${size.width}x${size.height}; sides must be ${minSide} to ${maxSide} pixels`
            );
          }

          const refused = referenceLimitProblem(model, {
            type: type.ext === 'jpg' ? 'jpeg' : (type.ext as 'png' | 'webp' | 'gif'),
            ...size,
          });
          if (refused) throw invalid(field, `${source}: ${refused}`);

          let url = checkpoint.uploaded[sha256];
          if (!url) {
            if (source.startsWith('https://')) {
              url = source;
            } else if (deps.storage.remote) {
              // the copy in object storage is already at a URL models can fetch: no second upload
              url = await deps.storage.location(key, REFERENCE_URL_LIFETIME_SEC, 'services');
            } else {
              try {
                const file = new File([new Uint8Array(bytes)], path.posix.basename(key), { type: type.mime });
                const created = (await deps.replicate.files.create(file, {
                  generationId: input.generationId,
                  groupId: group.id,
                })) as {
                  urls: { get: string };
                };
                url = created.urls.get;
              } catch (err) {
                throw toReplicateFailure(err, `${field}: uploading ${source}`, deps.connection.redact);
              }
              log.info('uploaded reference image', { groupId: group.id, sha256 });
            }
            checkpoint.uploaded[sha256] = url;
            ctx.heartbeat(checkpoint);
          }
          references.push({ groupId: group.id, source, url, localPath: key, sha256 });
        }
      }
    } finally {
      clearInterval(beat);
    }
    return {
      references,
      model,
      scorer: input.gateEnabled ? scorer : 'local',
      scorerModel: input.gateEnabled && scorer === 'clip' ? deps.catalogue.scorers.clip : null,
    };
  };
}
