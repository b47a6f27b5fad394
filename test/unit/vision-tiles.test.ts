import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { distinctFaces, squareTiles, type FoundFace } from '../../media/vision/faces';
import { isStillImage } from '../../media/vision/still-image';
import type { RgbImage } from '../../media/raw-image';

/** An image whose every pixel holds its own x in red and y in green. */
function coordinates(width: number, height: number): RgbImage {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, 0], (y * width + x) * 3);
  return { width, height, data };
}

test('a wide frame is searched in the two squares at its ends, a tall one at its top and bottom, a square one in none', () => {
  const wide = squareTiles(coordinates(160, 90));
  assert.deepEqual(
    wide.map((t) => [t.x, t.y, t.image.width, t.image.height]),
    [
      [0, 0, 90, 90],
      [70, 0, 90, 90],
    ]
  );
  // the right square's first pixel of its row 5 is the frame's pixel (70, 5)
  assert.deepEqual([...wide[1]!.image.data.subarray(5 * 90 * 3, 5 * 90 * 3 + 2)], [70, 5]);
  const tall = squareTiles(coordinates(90, 160));
  assert.deepEqual(
    tall.map((t) => [t.x, t.y]),
    [
      [0, 0],
      [0, 70],
    ]
  );
  assert.equal(tall[1]!.image.data[1], 70);
  assert.deepEqual(squareTiles(coordinates(100, 90)), []);
});

test('a face found in the whole frame and in a square counts once, by its more confident finding', () => {
  const face = (x: number, confidence: number): FoundFace => ({
    box: { x, y: 10, width: 40, height: 40 },
    confidence,
    descriptor: new Float32Array([confidence]),
  });
  const kept = distinctFaces([face(100, 0.6), face(104, 0.9), face(300, 0.5)]);
  assert.deepEqual(
    kept.map((f) => [f.box.x, f.confidence]),
    [
      [104, 0.9],
      [300, 0.5],
    ]
  );
});

test('a keyframe is told from a clip by its first bytes, whatever its name', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vision-still-'));
  try {
    const files = {
      png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]),
      webp: Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 '),
      mp4: Buffer.from('\u0000\u0000\u0000\u0020ftypisom'),
      empty: Buffer.alloc(0),
    };
    const found: Record<string, boolean> = {};
    for (const [name, bytes] of Object.entries(files)) {
      await fs.writeFile(path.join(dir, name), bytes);
      found[name] = await isStillImage(path.join(dir, name));
    }
    assert.deepEqual(found, { png: true, jpeg: true, webp: true, mp4: false, empty: false });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
