import fs from 'node:fs/promises';
import os from 'node:os';
import { drawText, GLYPH_HEIGHT, charsThatFit } from './bitmap-font';
import { probeMedia } from './ffmpeg';
import { mp4DurationSec } from './mp4-duration';
import { decodeImage, encodePng, frameFitted, type RgbImage } from './raw-image';

const THUMB_HEIGHT = 135;
/** 16:9 at the thumbnail height; other shapes are fitted inside it. */
const CELL_WIDTH = 240;
const COLUMNS = 4;
const GAP = 8;
const LABEL = GLYPH_HEIGHT * 2 + 6;
const BACKGROUND = 28;

function blit(target: RgbImage, source: RgbImage, x: number, y: number): void {
  for (let row = 0; row < source.height; row++) {
    const from = row * source.width * 3;
    source.data.copy(target.data, ((y + row) * target.width + x) * 3, from, from + source.width * 3);
  }
}

/** Runs `work` over `items` with at most `limit` running at once. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T, i: number) => Promise<void>) {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * A PNG for a person to check consistency at a glance: the reference images in the top row,
 * then one frame from the middle of every scene, each labelled. Written atomically.
 *
 * Each frame goes into the sheet as soon as it is decoded, fitted into a 16:9 cell: one ffmpeg
 * per clip and nothing held per scene, so a 200-scene sheet costs 200 short processes and the
 * sheet's own pixels, not twice that.
 */
export async function makeContactSheet(options: {
  clips: readonly { sceneId: string; path: string }[];
  referencePaths: readonly { label: string; path: string }[];
  outputPath: string;
}): Promise<{ outputPath: string; width: number; height: number }> {
  const columns = Math.max(COLUMNS, options.referencePaths.length);
  const width = GAP + columns * (CELL_WIDTH + GAP);
  const rows = 1 + Math.ceil(options.clips.length / COLUMNS);
  const height = GAP + rows * (THUMB_HEIGHT + LABEL + GAP);
  const sheet: RgbImage = { width, height, data: Buffer.alloc(width * height * 3, BACKGROUND) };

  const place = (image: RgbImage, label: string, column: number, row: number): void => {
    const x = GAP + column * (CELL_WIDTH + GAP);
    const y = GAP + row * (THUMB_HEIGHT + LABEL + GAP);
    blit(sheet, image, x, y);
    drawText(
      sheet.data,
      width,
      height,
      x,
      y + THUMB_HEIGHT + 4,
      label.slice(0, charsThatFit(CELL_WIDTH, 2)),
      [230, 230, 230],
      2
    );
  };
  for (const [i, ref] of options.referencePaths.entries()) {
    place(await decodeImage(ref.path, THUMB_HEIGHT, THUMB_HEIGHT), `ref ${ref.label}`, i, 0);
  }
  await eachLimited(options.clips, os.availableParallelism(), async (clip, i) => {
    const durationSec = (await mp4DurationSec(clip.path)) ?? (await probeMedia(clip.path)).durationSec;
    const frame = await frameFitted(clip.path, durationSec / 2, CELL_WIDTH, THUMB_HEIGHT, BACKGROUND);
    if (frame) place(frame, `${i + 1}. ${clip.sceneId}`, i % COLUMNS, 1 + Math.floor(i / COLUMNS));
  });

  const temp = `${options.outputPath}.partial.png`;
  await fs.writeFile(temp, await encodePng(sheet));
  await fs.rename(temp, options.outputPath);
  return { outputPath: options.outputPath, width, height };
}
