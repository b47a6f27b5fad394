import crypto from 'node:crypto';
import fs from 'node:fs/promises';
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
import { fetchReference, ReferenceFetchError, type ReferenceFetchTrust } from './reference-fetch';
import { runFfprobe } from '../media/ffmpeg';
import { keyframeModels, modelProblems, referenceLimitProblem } from '../schema/plan-model-check';
import { missingVisionPackage } from '../media/vision/vision-packages';
import { findModel } from './catalogue';
import { parseInput } from './parse-input';
import type { ReplicateConnection } from './replicate/client';
import { publishReference, type PublishedReference } from './reference-upload';
import { keyFor, type Storage } from '../common/storage/storage';

/** How a worker fetches reference URLs: what it trusts beyond the public internet, and its time limits. */
export interface ReferenceFetchSettings extends ReferenceFetchTrust {
  /** The whole fetch of one reference (60 s). */
  totalMs?: number;
  /** No byte for this long ends a fetch (15 s). */
  idleMs?: number;
}

export interface PrepareGenerationDeps {
  replicate: Replicate;
  connection: ReplicateConnection;
  storage: Storage;
  catalogue: Catalogue;
  /** Folders local reference images may come from; anything else is refused. */
  referenceRoots: string[];
  limits: { maxBytes: number; minSide: number; maxSide: number };
  referenceFetch?: ReferenceFetchSettings;
}

/** Resumption state: which images are already uploaded, by content hash, and until when their URLs work. */
interface PrepareCheckpoint {
  uploaded: Record<string, string>;
  expires?: Record<string, number>;
}

/** An image that passed every check and is in storage, by its bytes. */
interface CheckedImage {
  sha256: string;
  key: string;
  mime: string;
}

function invalid(field: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.InvalidReference,
    nonRetryable: true,
    message: `${field}: ${message}`,
  });
}

/** An image's size, read by ffprobe from its bytes on stdin: nothing is written before the image is accepted. */
async function imageSize(bytes: Buffer): Promise<{ width: number; height: number } | undefined> {
  try {
    const out = await runFfprobe(['-print_format', 'json', '-show_entries', 'stream=width,height', '-i', 'pipe:0'], {
      stdin: bytes,
    });
    const stream = (JSON.parse(out.toString()) as { streams?: { width?: number; height?: number }[] }).streams?.[0];
    return stream?.width && stream.height ? { width: stream.width, height: stream.height } : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the `prepareGeneration` activity: checks and uploads every reference image once, and prices the model. */
export function makePrepareGeneration(deps: PrepareGenerationDeps) {
  const { totalMs = 60_000, idleMs = 15_000, ...trust } = deps.referenceFetch ?? {};

  async function readSource(source: string, field: string, signal: AbortSignal): Promise<Buffer> {
    if (isRemoteReference(source)) {
      try {
        return await fetchReference(source, { ...trust, maxBytes: deps.limits.maxBytes, totalMs, idleMs, signal });
      } catch (err) {
        if (!(err instanceof ReferenceFetchError)) throw err;
        if (!err.retryable) throw invalid(field, err.message);
        throw ApplicationFailure.retryable(`${field}: ${err.message}`, FailureType.ReplicateNetwork);
      }
    }
    const real = await locateReference(source, deps.referenceRoots).catch((err: Error) => {
      if (!(err instanceof ReferenceFileError)) throw err;
      // the operator may see where the worker looked; the plan's author may not
      log.warn('reference image refused', { field, detail: err.detail });
      throw invalid(field, err.message);
    });
    const stat = await fs.stat(real);
    if (stat.size > deps.limits.maxBytes)
      throw invalid(field, `${source} is ${stat.size} bytes; the limit is ${deps.limits.maxBytes}`);
    return fs.readFile(real);
  }

  return async function prepareGeneration(raw: PrepareGenerationInput): Promise<PrepareGenerationResult> {
    const input = parseInput(prepareGenerationInputSchema, raw, 'prepareGeneration');
    const ctx = Context.current();
    const { hosted } = deps.connection;
    const pipeline = input.pipeline ?? 'direct';
    const planForModel = {
      pipeline,
      scenes: input.scenes,
      consistencyGroups: input.groups,
      ...(input.model ? { model: input.model } : {}),
      ...(input.keyframeModel ? { keyframe: { model: input.keyframeModel } } : {}),
      ...(input.aspectRatio ? { aspectRatio: input.aspectRatio } : {}),
    };
    const where = hosted ? 'hosted' : 'emulator';
    const keyframe = pipeline === 'keyframe' ? keyframeModels(planForModel, deps.catalogue, where) : undefined;
    const modelId = keyframe?.model ?? input.model ?? deps.catalogue.defaults[where];
    // vision runs on the worker, offline and free, wherever the clips come from (docs/scorers.md)
    const scorer = input.scorer ?? 'vision';
    // a plan started from the temporal CLI or the Web UI was never checked by a client: check it before paying
    const problems = modelProblems(
      { ...planForModel, model: modelId, ...(keyframe ? { keyframe: { model: keyframe.keyframeModel } } : {}) },
      deps.catalogue
    );
    if (pipeline === 'keyframe' && !keyframe) {
      problems.push(
        `pipeline: this catalogue names no keyframe models for the ${where === 'hosted' ? 'hosted Replicate' : 'emulator'} (defaults.keyframe); set model (an image-to-video model) and keyframe.model (an image model)`
      );
    }
    if (input.gateEnabled && hosted && scorer === 'local') {
      problems.push(
        `gate.scorer: "local" measures a clip against references the emulator pastes into it and cannot judge a hosted model's clips; use "vision" (the default: faces and object features measured on the worker, free), "clip" (CLIP features on Replicate, paid per score) or "manual" (a person decides)`
      );
    }
    const missing = input.gateEnabled && scorer === 'vision' ? missingVisionPackage() : undefined;
    if (missing) {
      problems.push(
        `gate.scorer: "vision" (the default) needs the npm package ${missing}, an optional dependency this worker was installed without; run \`npm install --include=optional\` where the worker runs, or set gate.scorer to "clip" or "manual"`
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
    const model = findModel(deps.catalogue, modelId);
    const keyframeModel = keyframe ? findModel(deps.catalogue, keyframe.keyframeModel) : null;
    // the references go to the keyframe model, and to the clip's only when it takes them beside a first frame
    const readers = keyframeModel
      ? [keyframeModel, ...(model.inputs.firstFrame?.withReferences ? [model] : [])]
      : [model];
    const checkpoint: PrepareCheckpoint = {
      uploaded: {},
      ...(ctx.info.heartbeatDetails as PrepareCheckpoint | undefined),
    };
    const references: PreparedReference[] = [];
    // a plan may name one image many times, by one path or in copies: each source is read once, each content checked and stored once
    const bySource = new Map<string, CheckedImage>();
    const byContent = new Map<string, CheckedImage>();

    async function check(bytes: Buffer, sha256: string, source: string, field: string): Promise<CheckedImage> {
      if (bytes.length > deps.limits.maxBytes)
        throw invalid(field, `${source} is ${bytes.length} bytes; the limit is ${deps.limits.maxBytes}`);
      const type = imageTypeOf(bytes);
      if (!type) throw invalid(field, `${source} is not a ${IMAGE_TYPE_NAMES} image`);
      const size = await imageSize(bytes);
      if (!size) throw invalid(field, `${source} could not be decoded as an image`);
      const { minSide, maxSide } = deps.limits;
      if (Math.min(size.width, size.height) < minSide || Math.max(size.width, size.height) > maxSide) {
        throw invalid(
          field,
          `${source} is ${size.width}x${size.height}; sides must be ${minSide} to ${maxSide} pixels`
        );
      }
      const facts = { type: type.ext === 'jpg' ? ('jpeg' as const) : (type.ext as 'png' | 'webp' | 'gif'), ...size };
      const refused = readers.map((reader) => referenceLimitProblem(reader, facts)).find(Boolean);
      if (refused) throw invalid(field, `${source}: ${refused}`);
      // stored only once accepted: a refused image leaves nothing behind
      const key = keyFor(input.generationId, 'references', `${sha256.slice(0, 16)}.${type.ext}`);
      await deps.storage.put(key, bytes, type.mime);
      return { sha256, key, mime: type.mime };
    }

    async function upload(
      bytes: Buffer,
      image: CheckedImage,
      source: string,
      field: string,
      groupId: string
    ): Promise<PublishedReference> {
      if (source.startsWith('https://')) return { url: source };
      // the copy in object storage is already at a URL models can fetch: no second upload
      return publishReference(deps, { ...image, bytes }, { generationId: input.generationId, groupId }, field);
    }

    // each fetch ends by its own time limits: this beat tells Temporal the worker lives, and carries the uploads made so far
    const beat = setInterval(() => ctx.heartbeat(checkpoint), 1000);
    try {
      for (const [i, group] of input.groups.entries()) {
        for (const [j, source] of group.referenceImages.entries()) {
          const field = `consistencyGroups[${i}].referenceImages[${j}]`;
          let image = bySource.get(source);
          if (!image) {
            const bytes = await readSource(source, field, ctx.cancellationSignal);
            const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
            image = byContent.get(sha256) ?? (await check(bytes, sha256, source, field));
            bySource.set(source, image);
            byContent.set(sha256, image);
            if (!checkpoint.uploaded[sha256]) {
              const published = await upload(bytes, image, source, field, group.id);
              checkpoint.uploaded[sha256] = published.url;
              if (published.expiresAt !== undefined) (checkpoint.expires ??= {})[sha256] = published.expiresAt;
              ctx.heartbeat(checkpoint);
            }
          }
          const { sha256, key } = image;
          const expiresAt = checkpoint.expires?.[sha256];
          references.push({
            groupId: group.id,
            source,
            url: checkpoint.uploaded[sha256]!,
            localPath: key,
            sha256,
            ...(expiresAt !== undefined ? { expiresAt } : {}),
            ...(group.kind ? { kind: group.kind } : {}),
            // what scoreClip measures it with: local only when the plan asks for it, vision for any other check on the worker
            scorer: scorer === 'local' ? 'local' : 'vision',
          });
        }
      }
    } finally {
      clearInterval(beat);
    }
    return {
      references,
      model,
      keyframeModel,
      scorer,
      scorerModel: input.gateEnabled && scorer === 'clip' ? deps.catalogue.scorers.clip : null,
    };
  };
}
