import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runFfmpeg } from '../../media/ffmpeg';
import { makeContactSheet } from '../../media/contact-sheet';
import { decodeImage, framesFitted, type RgbImage } from '../../media/raw-image';

async function colourClip(file: string, colour: string, size: string): Promise<void> {
  await runFfmpeg([
    '-y',
    '-f',
    'lavfi',
    '-i',
    `color=c=${colour}:s=${size}:r=24:d=1`,
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    file,
  ]);
}

const pixel = (image: RgbImage, x: number, y: number): number[] => {
  const at = (y * image.width + x) * 3;
  return [...image.data.subarray(at, at + 3)];
};
const near = (actual: number[], expected: number[]): boolean => actual.every((v, i) => Math.abs(v - expected[i]!) < 40);

test('the contact sheet puts every scene in order, in its own cell, whatever its shape, with the references on top', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sheet-'));
  try {
    const colours = [
      ['s1', 'red', '320x180', [255, 0, 0]],
      ['s2', 'lime', '180x320', [0, 255, 0]],
      ['s3', 'blue', '256x256', [0, 0, 255]],
      ['s4', 'yellow', '320x180', [255, 255, 0]],
      ['s5', 'white', '320x180', [255, 255, 255]],
    ] as const;
    const clips = [];
    for (const [sceneId, colour, size] of colours) {
      const file = path.join(dir, `${sceneId}.mp4`);
      await colourClip(file, colour, size);
      clips.push({ sceneId, path: file });
    }
    const reference = path.join(dir, 'ref.png');
    await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'color=c=magenta:s=64x64', '-frames:v', '1', reference]);
    const outputPath = path.join(dir, 'sheet.png');

    const made = await makeContactSheet({ clips, referencePaths: [{ label: 'mara', path: reference }], outputPath });
    // four 240-pixel cells across; a row of references, then two rows of scenes
    assert.deepEqual([made.width, made.height], [8 + 4 * 248, 8 + 3 * (135 + 20 + 8)]);
    const sheet = await decodeImage(outputPath, made.width, made.height);
    const centre = (column: number, row: number, dx = 0): number[] =>
      pixel(sheet, 8 + column * 248 + 120 + dx, 8 + row * 163 + 67);

    assert.ok(near(pixel(sheet, 8 + 67, 8 + 67), [255, 0, 255]), 'the reference is in the top row');
    colours.forEach(([sceneId, , , rgb], i) => {
      const [column, row] = [i % 4, 1 + Math.floor(i / 4)];
      assert.ok(
        near(centre(column, row), [...rgb]),
        `${sceneId} is in cell ${i + 1}: ${centre(column, row).join(',')}`
      );
    });
    // a portrait clip is fitted, not stretched: the cell's sides stay background
    assert.ok(near(centre(1, 1, -100), [28, 28, 28]), 'the portrait clip leaves its cell sides empty');
    assert.ok(near(centre(0, 1, -100), [255, 0, 0]), 'a 16:9 clip fills its cell');
    await assert.rejects(fs.access(`${outputPath}.partial.png`), 'no partial file is left');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a clip with no frame where one is asked for leaves its own place empty, not the place of another clip', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'frames-'));
  try {
    const [red, blue] = [path.join(dir, 'red.mp4'), path.join(dir, 'blue.mp4')];
    await colourClip(red, 'red', '320x180');
    await colourClip(blue, 'blue', '320x180');
    const frames = await framesFitted(
      [
        { path: red, atSec: 0.5 },
        { path: red, atSec: 30 },
        { path: blue, atSec: 0.5 },
      ],
      48,
      27,
      28
    );
    assert.equal(frames.length, 3);
    assert.ok(frames[0] && near(pixel(frames[0], 24, 13), [255, 0, 0]), 'the first is red');
    assert.equal(frames[1], null, 'past the end of the clip there is no frame');
    assert.ok(frames[2] && near(pixel(frames[2], 24, 13), [0, 0, 255]), 'the third is blue');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
