import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PngWriter } from '../../media/png-writer';
import { decodeImage } from '../../media/raw-image';

test('a PNG written band by band decodes (in ffmpeg) to exactly the pixels written', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'png-'));
  try {
    const [width, height] = [37, 300];
    const pixels = Buffer.alloc(width * height * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + (i % 13)) & 0xff;
    const file = path.join(dir, 'noise.png');
    const png = await PngWriter.open(file, width, height);
    // uneven bands, and more rows than one deflate buffer holds
    for (const [from, to] of [
      [0, 1],
      [1, 120],
      [120, 300],
    ] as const) {
      await png.writeRows(pixels.subarray(from * width * 3, to * width * 3));
    }
    await png.close();
    const decoded = await decodeImage(file, width, height);
    assert.ok(decoded.data.equals(pixels), 'every pixel as written');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a PNG missing rows, or given part of a row, is refused rather than written short', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'png-'));
  try {
    const png = await PngWriter.open(path.join(dir, 'short.png'), 4, 3);
    await assert.rejects(png.writeRows(Buffer.alloc(5)), /not whole rows of 12/);
    await png.writeRows(Buffer.alloc(24));
    await assert.rejects(png.close(), /2 of its 3 rows/);
    await png.abort();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
