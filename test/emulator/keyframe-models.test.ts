/**
 * The emulator's keyframe models: an IP-Adapter image model whose scale decides how much of the
 * reference survives in the image, and image-to-video models whose clips start from the image
 * they are given. Scores are measured by the `local` scorer on the animated clips.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import Replicate, { type Prediction } from 'replicate';
import { projectRoot } from '../../common/paths';
import { startEmulator, type Emulator } from '../../emulator';
import { emulatedModels } from '../../emulator/models';
import { validateInput } from '../../emulator/input-validation';
import { probeMedia } from '../../media/ffmpeg';
import { scoreConsistency } from '../../media/consistency';
import { decodeImage } from '../../media/raw-image';
import { loadCatalogue } from '../../common/catalogue-file';
import { planSchema } from '../../schema/plan';
import { clipCallSpec, keyframeCallSpec } from '../../workflows/rules/call-specs';

let emulator: Emulator;
let replicate: Replicate;
let dir: string;
const mara = path.join(projectRoot, 'examples', 'references', 'mara.png');

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyframe-models-test-'));
  emulator = await startEmulator({ dataDir: dir });
  replicate = new Replicate({ auth: emulator.token, baseUrl: emulator.baseUrl, useFileOutput: false });
});
beforeEach(() => emulator.reset());
after(async () => {
  await emulator.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function finished(created: Prediction): Promise<Prediction> {
  for (;;) {
    const p = await replicate.predictions.get(created.id);
    if (['succeeded', 'failed', 'canceled', 'aborted'].includes(p.status)) return p;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function uploadMara(): Promise<string> {
  const file = new File([await fs.readFile(mara)], 'mara.png', { type: 'image/png' });
  return ((await replicate.files.create(file)) as { urls: { get: string } }).urls.get;
}

async function download(url: string, name: string): Promise<string> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  const file = path.join(dir, name);
  await fs.writeFile(file, Buffer.from(await response.arrayBuffer()));
  return file;
}

/** A keyframe at this scale, animated by the local image-to-video model: the clip's score for Mara. */
async function animatedScore(reference: string, scale: number): Promise<{ keyframe: Prediction; score: number }> {
  const keyframe = await finished(
    await replicate.predictions.create({
      model: 'scenegate/ip-adapter-image',
      input: { prompt: 'Mara', reference_images: [reference], ip_adapter_scale: scale, seed: 5 },
    })
  );
  assert.equal(keyframe.status, 'succeeded', keyframe.error as string);
  const clip = await finished(
    await replicate.predictions.create({
      model: 'scenegate/image-to-video',
      input: { prompt: 'Mara turns', start_image: keyframe.output as string, duration: 2, seed: 5 },
    })
  );
  assert.equal(clip.status, 'succeeded', clip.error as string);
  const file = await download(clip.output as string, `clip-${scale}-${clip.id}.mp4`);
  assert.ok(Math.abs((await probeMedia(file)).durationSec - 2) < 0.1);
  const score = (await scoreConsistency({ clipPath: file, referencePaths: [mara] })).perReference[0]!.score;
  return { keyframe, score };
}

test('the image model makes one PNG; the IP-Adapter scale decides how much of the reference survives, through the animation', async () => {
  const reference = await uploadMara();
  const scores: number[] = [];
  for (const scale of [0.2, 0.5, 0.9]) {
    const { keyframe, score } = await animatedScore(reference, scale);
    if (scale === 0.2) {
      const response = await fetch(keyframe.output as string);
      assert.equal(response.headers.get('content-type'), 'image/png');
      const png = await download(keyframe.output as string, 'keyframe.png');
      // decodes as a 320x180 picture (16:9): an image, not a clip
      assert.equal((await decodeImage(png, 320, 180)).data.length, 320 * 180 * 3);
    }
    scores.push(score);
  }
  assert.ok(scores[0]! < scores[1]! && scores[1]! < scores[2]!, `scores ${scores.join(' < ')}`);
  assert.ok(scores[2]! - scores[0]! > 0.3, `scores ${scores.join(', ')}`);
  // a keyframe is billed per run, its clip per output second, as the catalogue books them
  const stats = emulator.stats();
  assert.ok(Math.abs(stats.costUsd - 3 * (0.03 + 2 * 0.05)) < 1e-9, `billed ${stats.costUsd}`);
});

test('drift draws another identity: into the keyframe on the image model, into the animation on the video model', async () => {
  const reference = await uploadMara();
  const { score: faithful } = await animatedScore(reference, 0.9);
  emulator.configure('scenegate/ip-adapter-image', { drift: { promptIncludes: 'Mara', attempts: 1 } });
  const { score: driftedKeyframe } = await animatedScore(reference, 0.9);
  emulator.configure('scenegate/image-to-video', { drift: { promptIncludes: 'Mara', attempts: 1 } });
  const { score: driftedAnimation } = await animatedScore(reference, 0.9);
  assert.ok(driftedKeyframe < faithful - 0.3, `keyframe drift ${driftedKeyframe} vs ${faithful}`);
  assert.ok(driftedAnimation < faithful - 0.3, `animation drift ${driftedAnimation} vs ${faithful}`);
  // the knob is spent: the next attempt keeps Mara again
  const { score: after } = await animatedScore(reference, 0.9);
  assert.ok(Math.abs(after - faithful) < 0.05, `${after} vs ${faithful}`);
});

test('the hosted keyframe models answer as published: InstantID a list of one image, Gen-4 Image one URL, Kling starts from start_image', async () => {
  const catalogue = loadCatalogue();
  const model = (id: string) => catalogue.models.find((m) => m.id === id)!;
  const reference = await uploadMara();
  const plan = planSchema.parse({
    pipeline: 'keyframe',
    consistencyGroups: [{ id: 'mara', kind: 'character', referenceImages: ['mara.png'] }],
    scenes: [{ id: 's1', prompt: 'Mara at the window', durationSec: 5, entities: ['mara'] }],
  });
  const references = [{ groupId: 'mara', source: 'mara.png', url: reference, localPath: 'x', sha256: 'x' }];
  const attempt = { strength: 0.8, seed: 9, escalation: 0 };
  for (const id of ['zsxkib/instant-id', 'runwayml/gen4-image']) {
    const spec = keyframeCallSpec(model(id), plan, plan.scenes[0]!, references, attempt);
    assert.ok(
      validateInput(
        emulatedModels.find((m) => m.id === id)!,
        spec.input
      ).ok,
      id
    );
    const created = spec.version
      ? await replicate.predictions.create({ version: spec.version, input: spec.input })
      : await replicate.predictions.create({ model: spec.model, input: spec.input });
    const done = await finished(created);
    assert.equal(done.status, 'succeeded', `${id}: ${String(done.error)}`);
    const url = id === 'zsxkib/instant-id' ? (done.output as string[])[0]! : (done.output as string);
    assert.equal(Array.isArray(done.output), id === 'zsxkib/instant-id', id);
    const clipSpec = clipCallSpec(
      model('kwaivgi/kling-v2.5-turbo-pro'),
      plan,
      plan.scenes[0]!,
      references,
      attempt,
      url
    );
    const clip = await finished(await replicate.predictions.create({ model: clipSpec.model, input: clipSpec.input }));
    assert.equal(clip.status, 'succeeded', String(clip.error));
    const file = await download(clip.output as string, `kling-${clip.id}.mp4`);
    assert.ok(Math.abs((await probeMedia(file)).durationSec - 5) < 0.1);
  }
  // Kling bills its seconds at the fixture's price: 2 clips of 5 s at $0.07, after $0.07 and $0.05 of images
  assert.ok(Math.abs(emulator.stats().costUsd - (0.07 + 0.05 + 2 * 5 * 0.07)) < 1e-9, `${emulator.stats().costUsd}`);
});

test('an image-to-video model refuses a clip without its first frame, as its schema requires', async () => {
  await assert.rejects(
    replicate.predictions.create({ model: 'scenegate/image-to-video', input: { prompt: 'nothing to animate' } }),
    /start_image/
  );
});
