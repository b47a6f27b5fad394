import fs from 'node:fs/promises';
import { IMAGE_MAGIC_BYTES, imageTypeOf } from '../common/reference-file';
import { probeMedia } from './ffmpeg';
import { bestNcc, integrals, prepareTemplate, toGray, type PreparedTemplate } from './ncc';
import { decodeImageToHeight, sampleFrames, type RgbImage } from './raw-image';

/** Frame width the search works at; small enough to be fast, large enough to keep identity. */
const WORK_WIDTH = 160;
/** Template heights tried, as fractions of the frame height (a subject may be near or far). */
const SCALES = [0.3, 0.38, 0.45, 0.55, 0.65];

export interface ConsistencyScore {
  /** Per reference image, 0..1: the best match in each sampled frame, averaged over frames. */
  perReference: { path: string; score: number }[];
  framesSampled: number;
}

/**
 * Measures how much of each reference image survives in a clip, knowing nothing of where it
 * was placed: frames are sampled evenly, and each reference is searched for in them at
 * several sizes with a zero-mean normalised cross-correlation on luminance. A reference drawn
 * faithfully scores near 1; one drowned in noise or absent scores low. A still image (a
 * keyframe) is scored as a clip of one frame.
 */
export async function scoreConsistency(options: {
  clipPath: string;
  referencePaths: readonly string[];
  frames?: number;
}): Promise<ConsistencyScore> {
  const sampled = await framesOf(options.clipPath, options.frames ?? 6);
  const workWidth = sampled[0]?.width ?? WORK_WIDTH;
  const workHeight = sampled[0]?.height ?? 16;
  const frames = sampled.map((frame) => {
    const gray = toGray(frame);
    return { gray, table: integrals(gray) };
  });
  const perReference: ConsistencyScore['perReference'] = [];
  for (const path of options.referencePaths) {
    const templates: PreparedTemplate[] = [];
    for (const scale of SCALES) {
      const height = Math.round(workHeight * scale);
      const decoded = await decodeImageToHeight(path, height);
      if (decoded.width <= workWidth) templates.push(prepareTemplate(toGray(decoded)));
    }
    const perFrame = frames.map(({ gray, table }) => Math.max(0, ...templates.map((t) => bestNcc(gray, table, t))));
    const score = perFrame.length ? perFrame.reduce((a, b) => a + b, 0) / perFrame.length : 0;
    perReference.push({ path, score: Math.round(score * 1000) / 1000 });
  }
  return { perReference, framesSampled: frames.length };
}

/** Frames `WORK_WIDTH` wide: sampled evenly from a clip, or the one frame of a still image. */
async function framesOf(file: string, count: number): Promise<RgbImage[]> {
  const handle = await fs.open(file);
  const head = Buffer.alloc(IMAGE_MAGIC_BYTES);
  try {
    await handle.read(head, 0, IMAGE_MAGIC_BYTES, 0);
  } finally {
    await handle.close();
  }
  if (imageTypeOf(head)) {
    const full = await decodeImageToHeight(file, 64);
    return [await decodeImageToHeight(file, Math.max(16, Math.round((WORK_WIDTH * full.height) / full.width)))];
  }
  const info = await probeMedia(file);
  const workHeight = Math.max(16, Math.round((WORK_WIDTH * info.height) / Math.max(1, info.width)));
  return sampleFrames(file, info.durationSec, count, WORK_WIDTH, workHeight);
}
