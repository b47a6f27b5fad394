/**
 * The activities under a keyframe attempt, against the emulator: preparation resolves both
 * models (or refuses them by field), and `collectKeyframe` stores the keyframe and hands the
 * video model a URL that outlives the prediction's output.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type ActivityDeps } from '../../activities';
import { createReplicateClient, replicateConnection } from '../../activities/replicate/client';
import { loadCatalogue } from '../../common/catalogue-file';
import { projectRoot } from '../../common/paths';
import { IMAGE_MAGIC_BYTES, imageTypeOf } from '../../common/reference-file';
import { LocalStorage } from '../../common/storage/local';
import { startEmulator, type Emulator } from '../../emulator';
import type { Activities, PrepareGenerationInput } from '../../schema/activities';
import { FailureType } from '../../schema/failures';
import { planSchema } from '../../schema/plan';
import type { PredictionSnapshot } from '../../schema/prediction';
import { clipCallSpec, keyframeCallSpec } from '../../workflows/rules/call-specs';

const mara = path.join(projectRoot, 'examples', 'references', 'mara.png');
const maraPhoto = path.join(projectRoot, 'examples', 'references', 'mara-photo.png');
const bottle = path.join(projectRoot, 'examples', 'references', 'lumen-bottle.png');

let emulator: Emulator;
let dir: string;
let deps: ActivityDeps;
let activities: Activities;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyframe-activities-'));
  // outputs vanish after a second, as hosted Replicate's do after an hour
  emulator = await startEmulator({ dataDir: path.join(dir, 'emulator'), outputTtlMs: 1000 });
  const connection = replicateConnection({ baseUrl: emulator.baseUrl, emulatorToken: emulator.token });
  deps = {
    replicate: createReplicateClient(connection),
    connection,
    storage: new LocalStorage(path.join(dir, 'storage')),
    catalogue: loadCatalogue(),
    referenceRoots: [projectRoot],
  };
  activities = createActivities(deps);
});
after(async () => {
  await emulator.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment().run(fn, ...args);

function prepareInput(extra: Partial<PrepareGenerationInput>, withBottle = true): PrepareGenerationInput {
  return {
    generationId: `kf-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`,
    groups: [
      { id: 'mara', kind: 'character', referenceImages: [mara] },
      ...(withBottle ? [{ id: 'lumen', kind: 'product' as const, referenceImages: [bottle] }] : []),
    ],
    scenes: [{ entities: withBottle ? ['mara', 'lumen'] : ['mara'], durationSec: 5 }],
    aspectRatio: '16:9',
    gateEnabled: false,
    pipeline: 'keyframe',
    ...extra,
  };
}

async function finished(id: string): Promise<PredictionSnapshot> {
  for (;;) {
    const snapshot = await run(activities.getPrediction, { predictionId: id });
    if (['succeeded', 'failed', 'canceled', 'aborted'].includes(snapshot.status)) return snapshot;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => assert.fail('it succeeded'),
    (e: unknown) => e
  );
  assert.ok(err instanceof ApplicationFailure, String(err));
  return err;
}

test('preparation resolves the keyframe model beside the video model; direct keeps none', async () => {
  const keyframe = await run(activities.prepareGeneration, prepareInput({}));
  assert.equal(keyframe.model.id, 'scenegate/image-to-video');
  assert.equal(keyframe.keyframeModel?.id, 'scenegate/ip-adapter-image');
  assert.equal(keyframe.references.length, 2);
  const direct = await run(activities.prepareGeneration, prepareInput({ pipeline: 'direct' }));
  assert.equal(direct.model.id, 'scenegate/ip-adapter-video');
  assert.equal(direct.keyframeModel, null);
  // a run prepared before keyframes sends no pipeline: direct
  const { pipeline: _pipeline, ...old } = prepareInput({});
  assert.equal((await run(activities.prepareGeneration, old)).keyframeModel, null);
});

test('on hosted Replicate the face model takes a character alone, the multi-reference model a character with a product', async () => {
  const hosted = replicateConnection({ baseUrl: emulator.baseUrl, token: emulator.token, emulatorToken: '' });
  const onHosted = createActivities({ ...deps, connection: hosted, replicate: createReplicateClient(hosted) });
  const face = await run(onHosted.prepareGeneration, prepareInput({}, false));
  assert.equal(face.keyframeModel?.id, 'zsxkib/instant-id');
  assert.equal(face.model.id, 'kwaivgi/kling-v2.5-turbo-pro');
  const both = await run(onHosted.prepareGeneration, prepareInput({}));
  assert.equal(both.keyframeModel?.id, 'runwayml/gen4-image');
});

test('a keyframe plan naming a model that cannot do its step is refused by field before anything is paid', async () => {
  const before = emulator.stats().predictionsCreated;
  const video = await failureOf(
    run(activities.prepareGeneration, prepareInput({ model: 'scenegate/ip-adapter-video' }))
  );
  assert.equal(video.type, FailureType.InvalidPlan);
  assert.match(video.message, /^model: scenegate\/ip-adapter-video does not animate a first frame/);
  const image = await failureOf(
    run(activities.prepareGeneration, prepareInput({ keyframeModel: 'scenegate/image-to-video' }))
  );
  assert.match(image.message, /^keyframe\.model: scenegate\/image-to-video is not an image model/);
  assert.equal(emulator.stats().predictionsCreated, before);
});

test('collectKeyframe stores the image and gives the video model a URL that outlives the output', async () => {
  const prepared = await run(activities.prepareGeneration, prepareInput({}));
  const plan = planSchema.parse({
    pipeline: 'keyframe',
    consistencyGroups: [
      { id: 'mara', kind: 'character', referenceImages: [mara] },
      { id: 'lumen', kind: 'product', referenceImages: [bottle] },
    ],
    scenes: [{ id: 's1', prompt: 'Mara holds Lumen', durationSec: 2, entities: ['mara', 'lumen'] }],
  });
  const scene = plan.scenes[0]!;
  const attempt = { strength: 0.8, seed: 3, escalation: 0 };
  const spec = keyframeCallSpec(prepared.keyframeModel!, plan, scene, prepared.references, attempt);
  const created = await deps.replicate.predictions.create({ model: spec.model, input: spec.input });
  const prediction = await finished(created.id);
  const generationId = 'kf-collect';
  const stored = await run(activities.collectKeyframe, { generationId, sceneId: 's1', attempt: 1, prediction });
  assert.equal(stored.key, 'kf-collect/keyframes/s1-a1.png');
  const bytes = await fs.readFile(await deps.storage.localFile(stored.key));
  assert.equal(imageTypeOf(bytes.subarray(0, IMAGE_MAGIC_BYTES))?.ext, 'png');
  assert.equal(stored.sizeBytes, bytes.length);
  assert.match(stored.modelUrl, /\/v1\/files\//);
  assert.ok(stored.expiresAt! > Date.now());
  // the prediction's own output is gone after its retention; the keyframe still reaches the video model
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await fetch(prediction.output as string)).status, 404);
  const clip = clipCallSpec(prepared.model, plan, scene, prepared.references, attempt, stored.modelUrl);
  const animated = await finished(
    (await deps.replicate.predictions.create({ model: clip.model, input: clip.input })).id
  );
  assert.equal(animated.status, 'succeeded', String(animated.error));
});

test('a keyframe is scored through its still clip as a clip is: the local score rises with the IP-Adapter scale', async () => {
  const prepared = await run(activities.prepareGeneration, prepareInput({ gateEnabled: true, scorer: 'local' }, false));
  const scores: number[] = [];
  for (const [attempt, scale] of [0.2, 0.9].entries()) {
    const input = { prompt: 'Mara', reference_images: prepared.references.map((r) => r.url), ip_adapter_scale: scale };
    const prediction = await finished(
      (await deps.replicate.predictions.create({ model: 'scenegate/ip-adapter-image', input })).id
    );
    const stored = await run(activities.collectKeyframe, {
      generationId: 'kf-score',
      sceneId: 's1',
      attempt: attempt + 1,
      prediction,
    });
    assert.equal(stored.stillClipPath, `kf-score/keyframes/s1-a${attempt + 1}.mp4`);
    const scored = await run(activities.scoreClip, { clipPath: stored.stillClipPath, references: prepared.references });
    scores.push(scored.score);
  }
  assert.ok(scores[1]! - scores[0]! > 0.3, `scores ${scores.join(' < ')}`);
});

test('the vision scorer finds the face in a keyframe the scale kept, and none in one it drowned', async () => {
  const input = prepareInput({ gateEnabled: true }, false);
  const prepared = await run(activities.prepareGeneration, {
    ...input,
    groups: [{ id: 'mara', kind: 'character', referenceImages: [maraPhoto] }],
  });
  assert.equal(prepared.references[0]!.scorer, 'vision');
  const perScale: number[] = [];
  for (const [attempt, scale] of [0.2, 0.9].entries()) {
    const prediction = await finished(
      (
        await deps.replicate.predictions.create({
          model: 'scenegate/ip-adapter-image',
          input: { prompt: 'Mara', reference_images: [prepared.references[0]!.url], ip_adapter_scale: scale },
        })
      ).id
    );
    const stored = await run(activities.collectKeyframe, {
      generationId: 'kf-vision',
      sceneId: 's1',
      attempt: attempt + 1,
      prediction,
    });
    perScale.push(
      (await run(activities.scoreClip, { clipPath: stored.stillClipPath, references: prepared.references })).score
    );
  }
  assert.ok(perScale[0]! < 0.3 && perScale[1]! > 0.5, `vision scores ${perScale.join(', ')}`);
});

test('a keyframe prediction that failed, or whose output is gone, fails collectKeyframe for good, naming the scene', async () => {
  emulator.configure('scenegate/ip-adapter-image', { failNext: 1 });
  const spec = { prompt: 'Mara', reference_images: [`${emulator.baseUrl}/files/none`] };
  const failed = await finished(
    (await deps.replicate.predictions.create({ model: 'scenegate/ip-adapter-image', input: spec })).id
  );
  const err = await failureOf(
    run(activities.collectKeyframe, { generationId: 'kf-fail', sceneId: 's2', attempt: 3, prediction: failed })
  );
  assert.equal(err.type, FailureType.PredictionFailed);
  assert.equal(err.nonRetryable, true);
  assert.match(err.message, /^scene s2 attempt 3 keyframe: prediction \w+ failed/);
  const gone = {
    ...failed,
    status: 'succeeded' as const,
    error: null,
    output: `${emulator.baseUrl.replace('/v1', '')}/delivery/nothing/output.png`,
  };
  const unusable = await failureOf(
    run(activities.collectKeyframe, { generationId: 'kf-fail', sceneId: 's2', attempt: 4, prediction: gone })
  );
  assert.equal(unusable.type, FailureType.OutputUnusable);
});
