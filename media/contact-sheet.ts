import fs from 'node:fs/promises';
import { drawText, GLYPH_HEIGHT, charsThatFit } from './bitmap-font';
import { clipDurationSec } from './mp4-duration';
import { PngWriter } from './png-writer';
import { decodeImage, framesFitted, type RgbImage } from './raw-image';

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

interface Cell {
  image: RgbImage | null;
  label: string;
}

/**
 * A PNG for a person to check consistency at a glance: the reference images in the top row,
 * then one frame from the middle of every scene, each labelled. Written atomically.
 *
 * The sheet is made and written one row of cells at a time, its frames fitted into 16:9 cells
 * by one ffmpeg per row: a 200-scene sheet costs 50 short processes and one row's pixels in
 * memory (forking a worker of a few hundred MB costs milliseconds of its event loop each time).
 */
export async function makeContactSheet(options: {
  clips: readonly { sceneId: string; path: string }[];
  referencePaths: readonly { label: string; path: string }[];
  outputPath: string;
}): Promise<{ outputPath: string; width: number; height: number }> {
  const columns = Math.max(COLUMNS, options.referencePaths.length);
  const width = GAP + columns * (CELL_WIDTH + GAP);
  const bandHeight = THUMB_HEIGHT + LABEL + GAP;
  const rows = 1 + Math.ceil(options.clips.length / COLUMNS);
  const height = GAP + rows * bandHeight;

  const middleOf = async (clip: { path: string }): Promise<{ path: string; atSec: number }> => {
    return { path: clip.path, atSec: (await clipDurationSec(clip.path)) / 2 };
  };
  const band = (cells: readonly Cell[]): Buffer => {
    const data = Buffer.alloc(width * bandHeight * 3, BACKGROUND);
    const target: RgbImage = { width, height: bandHeight, data };
    cells.forEach((cell, column) => {
      const x = GAP + column * (CELL_WIDTH + GAP);
      if (cell.image) blit(target, cell.image, x, 0);
      const label = cell.label.slice(0, charsThatFit(CELL_WIDTH, 2));
      drawText(data, width, bandHeight, x, THUMB_HEIGHT + 4, label, [230, 230, 230], 2);
    });
    return data;
  };

  const temp = `${options.outputPath}.partial.png`;
  const png = await PngWriter.open(temp, width, height);
  try {
    await png.writeRows(Buffer.alloc(width * GAP * 3, BACKGROUND));
    const references = await Promise.all(
      options.referencePaths.map(async (ref) => ({
        image: await decodeImage(ref.path, THUMB_HEIGHT, THUMB_HEIGHT),
        label: `ref ${ref.label}`,
      }))
    );
    await png.writeRows(band(references));
    for (let first = 0; first < options.clips.length; first += COLUMNS) {
      const clips = options.clips.slice(first, first + COLUMNS);
      const frames = await framesFitted(await Promise.all(clips.map(middleOf)), CELL_WIDTH, THUMB_HEIGHT, BACKGROUND);
      await png.writeRows(
        band(clips.map((clip, i) => ({ image: frames[i]!, label: `${first + i + 1}. ${clip.sceneId}` })))
      );
    }
    await png.close();
  } catch (err) {
    await png.abort();
    await fs.rm(temp, { force: true });
    throw err;
  }
  await fs.rename(temp, options.outputPath);
  return { outputPath: options.outputPath, width, height };
}
