import fs from 'node:fs/promises';
import { drawText, GLYPH_HEIGHT, charsThatFit } from './bitmap-font';
import { probeMedia } from './ffmpeg';
import { decodeImage, encodePng, sampleFrames, type RgbImage } from './raw-image';

const THUMB_HEIGHT = 135;
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

/**
 * A PNG for a person to check consistency at a glance: the reference images in the top row,
 * then one frame from the middle of every scene, each labelled. Written atomically.
 */
export async function makeContactSheet(options: {
  clips: readonly { sceneId: string; path: string }[];
  referencePaths: readonly { label: string; path: string }[];
  outputPath: string;
}): Promise<{ outputPath: string; width: number; height: number }> {
  const frames: { label: string; image: RgbImage }[] = [];
  for (const clip of options.clips) {
    const info = await probeMedia(clip.path);
    const width = Math.round((THUMB_HEIGHT * info.width) / Math.max(1, info.height) / 2) * 2;
    const [frame] = await sampleFrames(clip.path, info.durationSec, 1, width, THUMB_HEIGHT);
    if (frame) frames.push({ label: clip.sceneId, image: frame });
  }
  const references: { label: string; image: RgbImage }[] = [];
  for (const ref of options.referencePaths) {
    references.push({ label: ref.label, image: await decodeImage(ref.path, THUMB_HEIGHT, THUMB_HEIGHT) });
  }
  const cell = Math.max(THUMB_HEIGHT, ...frames.map((f) => f.image.width));
  const columns = Math.max(COLUMNS, references.length);
  const width = GAP + columns * (cell + GAP);
  const rows = 1 + Math.ceil(frames.length / COLUMNS);
  const height = GAP + rows * (THUMB_HEIGHT + LABEL + GAP);
  const sheet: RgbImage = { width, height, data: Buffer.alloc(width * height * 3, BACKGROUND) };

  const place = (item: { label: string; image: RgbImage }, column: number, row: number): void => {
    const x = GAP + column * (cell + GAP);
    const y = GAP + row * (THUMB_HEIGHT + LABEL + GAP);
    blit(sheet, item.image, x, y);
    drawText(
      sheet.data,
      width,
      height,
      x,
      y + THUMB_HEIGHT + 4,
      item.label.slice(0, charsThatFit(cell, 2)),
      [230, 230, 230],
      2
    );
  };
  references.forEach((ref, i) => place({ ...ref, label: `ref ${ref.label}` }, i, 0));
  frames.forEach((frame, i) =>
    place({ ...frame, label: `${i + 1}. ${frame.label}` }, i % COLUMNS, 1 + Math.floor(i / COLUMNS))
  );

  const temp = `${options.outputPath}.partial.png`;
  await fs.writeFile(temp, await encodePng(sheet));
  await fs.rename(temp, options.outputPath);
  return { outputPath: options.outputPath, width, height };
}
