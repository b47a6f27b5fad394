import { runFfmpeg } from './ffmpeg';

/** An image as tightly packed 8-bit RGB rows. */
export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, row-major */
  data: Buffer;
}

/** ffmpeg output options: the input's first frame, scaled by area averaging, as raw RGB on stdout. */
function oneRgbFrame(width: number, height: number): string[] {
  return [
    '-frames:v',
    '1',
    '-vf',
    `scale=${width}:${height}:flags=area`,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
}

/**
 * Decodes any image ffmpeg reads (PNG, JPEG, WebP, ...) from a file path or bytes,
 * scaled to exactly width x height.
 */
export async function decodeImage(source: string | Buffer, width: number, height: number): Promise<RgbImage> {
  const input = typeof source === 'string' ? source : 'pipe:0';
  const data = await runFfmpeg(
    ['-i', input, ...oneRgbFrame(width, height)],
    typeof source === 'string' ? {} : { stdin: source }
  );
  if (data.length !== width * height * 3) {
    throw new Error(`decoded image has ${data.length} bytes, expected ${width * height * 3}`);
  }
  return { width, height, data };
}

/** Encodes an RGB image as PNG bytes. */
export function encodePng(image: RgbImage): Promise<Buffer> {
  return runFfmpeg(
    [
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${image.width}x${image.height}`,
      '-i',
      'pipe:0',
      '-frames:v',
      '1',
      '-f',
      'image2',
      '-c:v',
      'png',
      'pipe:1',
    ],
    { stdin: image.data }
  );
}

/**
 * One frame of each clip, at its `atSec`, each scaled to fit inside width x height with its
 * aspect kept and padded with the grey level `background`: one ffmpeg for them all. A clip
 * without a frame there gives null in its place.
 */
export async function framesFitted(
  clips: readonly { path: string; atSec: number }[],
  width: number,
  height: number,
  background: number
): Promise<(RgbImage | null)[]> {
  if (clips.length === 0) return [];
  const grey = background.toString(16).padStart(2, '0').repeat(3);
  const fit = `scale=${width}:${height}:force_original_aspect_ratio=decrease:flags=area,pad=${width}:${height}:-1:-1:color=0x${grey},setsar=1,format=rgb24`;
  const inputs = clips.flatMap((clip) => ['-ss', clip.atSec.toFixed(3), '-i', clip.path]);
  const chains = clips.map((_, i) => `[${i}:v]trim=end_frame=1,setpts=PTS-STARTPTS,${fit}[f${i}]`);
  const graph = `${chains.join(';')};${clips.map((_, i) => `[f${i}]`).join('')}concat=n=${clips.length}:v=1:a=0[out]`;
  const size = width * height * 3;
  const data = await runFfmpeg([...inputs, '-filter_complex', graph, '-map', '[out]', '-f', 'rawvideo', 'pipe:1']);
  if (data.length === size * clips.length) {
    return clips.map((_, i) => ({ width, height, data: data.subarray(i * size, (i + 1) * size) }));
  }
  // a clip gave no frame, and the others' order no longer says whose is whose: one at a time
  if (clips.length === 1) return [null];
  return (await Promise.all(clips.map((clip) => framesFitted([clip], width, height, background)))).flat();
}

/**
 * Samples `count` frames evenly spread over a clip, each scaled to width x height.
 * Frames are taken at the middle of `count` equal slices so the first and last
 * (often fades or black) are avoided.
 */
export async function sampleFrames(
  clipPath: string,
  durationSec: number,
  count: number,
  width: number,
  height: number
): Promise<RgbImage[]> {
  const frames: RgbImage[] = [];
  for (let i = 0; i < count; i++) {
    const frame = await frameAt(clipPath, ((i + 0.5) * durationSec) / count, width, height);
    if (frame) frames.push(frame);
  }
  return frames;
}

/** The clip's frame at `atSec`, scaled to width x height; null when the clip has no frame there. */
export async function frameAt(
  clipPath: string,
  atSec: number,
  width: number,
  height: number
): Promise<RgbImage | null> {
  const data = await runFfmpeg(['-ss', atSec.toFixed(3), '-i', clipPath, ...oneRgbFrame(width, height)]);
  return data.length === width * height * 3 ? { width, height, data } : null;
}

/** Decodes an image scaled to `height` pixels tall, keeping its aspect (width rounded to even). */
export async function decodeImageToHeight(source: string | Buffer, height: number): Promise<RgbImage> {
  const input = typeof source === 'string' ? source : 'pipe:0';
  const data = await runFfmpeg(
    [
      '-i',
      input,
      '-frames:v',
      '1',
      '-vf',
      `scale=-2:${height}:flags=area`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    typeof source === 'string' ? {} : { stdin: source }
  );
  const width = data.length / 3 / height;
  if (!Number.isInteger(width) || width <= 0)
    throw new Error(`decoded image has ${data.length} bytes, not a ${height}-row image`);
  return { width, height, data };
}
