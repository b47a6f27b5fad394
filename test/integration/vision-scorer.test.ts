import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { renderClip } from '../../emulator/render/clip';
import { runFfmpeg } from '../../media/ffmpeg';
import { VisionScorerClient } from '../../media/vision/scorer-client';
import { visionPackageDir } from '../../media/vision/vision-packages';

/**
 * The vision scorer, in its own process as a worker runs it, on real photographs: the face-api
 * package's demo photos (MIT). The reference is examples/references/mara-photo.png, a crop of
 * one person in demo/sample3.jpg; the emulator draws another crop of her (wider, darker,
 * mirrored), and one of a person in demo/sample1.jpg, into clips.
 */
const root = path.join(import.meta.dirname, '..', '..');
const reference = path.join(root, 'examples', 'references', 'mara-photo.png');
const bottle = path.join(root, 'examples', 'references', 'lumen-bottle.png');
/** The product-ad plan's gate threshold. */
const THRESHOLD = 0.55;
let dir: string;
const scorer = new VisionScorerClient();

async function clipOf(photo: string, filter: string, name: string): Promise<string> {
  const picture = path.join(dir, `${name}.png`);
  await runFfmpeg([
    '-y',
    '-i',
    path.join(visionPackageDir('@vladmandic/face-api'), 'demo', photo),
    '-vf',
    filter,
    picture,
  ]);
  const clip = path.join(dir, `${name}.mp4`);
  const spec = { prompt: name, seed: 7, durationSec: 3, aspectRatio: '16:9' as const, references: [], fidelity: 0.95 };
  await renderClip(spec, [await fs.readFile(picture)], clip);
  return clip;
}

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vision-scorer-'));
});

after(async () => {
  scorer.close();
  await fs.rm(dir, { recursive: true, force: true });
});

test('the same person in another crop and light scores above the threshold; another person below it', async () => {
  const same = await clipOf(
    'sample3.jpg',
    'scale=-2:720,crop=190:190:545:85,eq=brightness=-0.08,hflip,scale=400:400',
    'same'
  );
  const other = await clipOf('sample1.jpg', 'scale=-2:720,crop=182:182:797:78,scale=400:400', 'other');
  const references = [{ key: 'mara-photo', path: reference, kind: 'character' as const }];
  const [a, b] = await Promise.all([
    scorer.score({ clipPath: same, references }),
    scorer.score({ clipPath: other, references }),
  ]);
  const [sameFinding, otherFinding] = [a.perReference[0]!, b.perReference[0]!];
  assert.ok(sameFinding.framesWithSubject > 0 && otherFinding.framesWithSubject > 0, 'a face was found in both clips');
  assert.ok(sameFinding.score >= THRESHOLD, `same person: ${sameFinding.score}`);
  assert.ok(otherFinding.score < THRESHOLD, `another person: ${otherFinding.score}`);
  assert.ok(a.cpuSec > 0, 'the CPU it took is reported');
});

test('a clip with no face says so: no frame with the subject, not a low likeness', async () => {
  const clip = path.join(dir, 'bottle.mp4');
  const spec = {
    prompt: 'bottle',
    seed: 3,
    durationSec: 3,
    aspectRatio: '16:9' as const,
    references: [],
    fidelity: 0.95,
  };
  await renderClip(spec, [await fs.readFile(bottle)], clip);
  const result = await scorer.score({
    clipPath: clip,
    references: [
      { key: 'mara-photo', path: reference, kind: 'character' },
      { key: 'lumen', path: bottle, kind: 'product' },
    ],
  });
  const [face, product] = result.perReference;
  assert.equal(face!.framesWithSubject, 0);
  assert.equal(face!.framesSampled, 3);
  assert.equal(face!.lowestFrameSec, undefined);
  assert.ok(
    product!.framesWithSubject > 0 && product!.score >= THRESHOLD,
    `the bottle itself is found: ${product!.score}`
  );
});

test('a character reference without a face is refused by name, not scored', async () => {
  const clip = path.join(dir, 'bottle.mp4');
  await assert.rejects(
    scorer.score({ clipPath: clip, references: [{ key: 'bottle-as-face', path: bottle, kind: 'character' }] }),
    (err: Error) =>
      err.name === 'VisionReferenceError' && /no face was found in this character reference/.test(err.message)
  );
});

test('a keyframe (a PNG or a JPEG, whatever its name) is scored as a clip of one frame', async () => {
  const sameClip = await clipOf(
    'sample3.jpg',
    'scale=-2:720,crop=200:200:540:80,eq=brightness=0.05,scale=400:400',
    'same-k'
  );
  const otherClip = await clipOf('sample1.jpg', 'scale=-2:720,crop=182:182:797:78,scale=400:400', 'other-k');
  const same = path.join(dir, 'same-keyframe');
  const other = path.join(dir, 'other-keyframe');
  // one frame of each clip, written as PNG and JPEG without an extension that says so
  await runFfmpeg(['-y', '-ss', '1.5', '-i', sameClip, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', same]);
  await runFfmpeg(['-y', '-ss', '1.5', '-i', otherClip, '-frames:v', '1', '-f', 'image2', '-c:v', 'mjpeg', other]);
  const references = [{ key: 'mara-photo', path: reference, kind: 'character' as const }];
  const [a, b] = await Promise.all([
    scorer.score({ clipPath: same, references }),
    scorer.score({ clipPath: other, references }),
  ]);
  const [sameFinding, otherFinding] = [a.perReference[0]!, b.perReference[0]!];
  assert.deepEqual([sameFinding.framesSampled, otherFinding.framesSampled], [1, 1]);
  assert.deepEqual([sameFinding.framesWithSubject, otherFinding.framesWithSubject], [1, 1]);
  assert.ok(sameFinding.score >= THRESHOLD, `same person: ${sameFinding.score}`);
  assert.ok(otherFinding.score < THRESHOLD, `another person: ${otherFinding.score}`);
});
