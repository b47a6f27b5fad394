import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { probeMedia, runFfmpeg } from '../../media/ffmpeg';
import { mp4DurationSec } from '../../media/mp4-duration';

test('the MP4 header gives the duration ffprobe reads, with the moov box at either end; anything else gives none', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mp4-'));
  try {
    for (const [name, extra] of [
      ['end.mp4', []],
      ['start.mp4', ['-movflags', '+faststart']],
    ] as const) {
      const file = path.join(dir, name);
      await runFfmpeg([
        '-y',
        '-f',
        'lavfi',
        '-i',
        'color=c=red:s=64x64:r=24:d=2.5',
        '-c:v',
        'libx264',
        '-pix_fmt',
        'yuv420p',
        ...extra,
        file,
      ]);
      const probed = (await probeMedia(file)).durationSec;
      const read = await mp4DurationSec(file);
      assert.ok(read !== undefined && Math.abs(read - probed) < 0.05, `${name}: header ${read}, ffprobe ${probed}`);
    }
    const text = path.join(dir, 'not.mp4');
    await fs.writeFile(text, 'not a video at all, just text');
    assert.equal(await mp4DurationSec(text), undefined);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
