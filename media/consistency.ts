import { probeMedia } from './ffmpeg';
import { bestNcc, integrals, prepareTemplate, toGray, type PreparedTemplate } from './ncc';
import { decodeImageToHeight, sampleFrames } from './raw-image';

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
 * faithfully scores near 1; one drowned in noise or absent scores low.
 */
export async function scoreConsistency(options: {
  clipPath: string;
  referencePaths: readonly string[];
  frames?: number;
}): Promise<ConsistencyScore> {
  const info = await probeMedia(options.clipPath);
  const workHeight = Math.max(16, Math.round((WORK_WIDTH * info.height) / Math.max(1, info.width)));
  const frames = (
    await sampleFrames(options.clipPath, info.durationSec, options.frames ?? 6, WORK_WIDTH, workHeight)
  ).map((frame) => {
    const gray = toGray(frame);
    return { gray, table: integrals(gray) };
  });
  const perReference: ConsistencyScore['perReference'] = [];
  for (const path of options.referencePaths) {
    const templates: PreparedTemplate[] = [];
    for (const scale of SCALES) {
      const height = Math.round(workHeight * scale);
      const decoded = await decodeImageToHeight(path, height);
      if (decoded.width <= WORK_WIDTH) templates.push(prepareTemplate(toGray(decoded)));
    }
    const perFrame = frames.map(({ gray, table }) => Math.max(0, ...templates.map((t) => bestNcc(gray, table, t))));
    const score = perFrame.length ? perFrame.reduce((a, b) => a + b, 0) / perFrame.length : 0;
    perReference.push({ path, score: Math.round(score * 1000) / 1000 });
  }
  return { perReference, framesSampled: frames.length };
}
