import fs from 'node:fs/promises';
import path from 'node:path';
import { runFfmpeg } from '../../media/ffmpeg';
import { decodeImage, decodeImageToHeight, encodePng } from '../../media/raw-image';
import type { ImageSpec, VideoSpec } from '../models';
import { animateFrames, FPS, frameSizes, referenceHeight, renderFrames, type FrameSize } from './frames';

async function* framesOf(frames: Iterable<Buffer>): AsyncGenerator<Buffer> {
  for (const frame of frames) yield frame;
}

/** Encodes raw frames of `size` to a small H.264 MP4 (yuv420p, faststart), written atomically to `file`. */
async function encode(
  spec: VideoSpec,
  frames: Iterable<Buffer>,
  file: string,
  size = frameSizes[spec.aspectRatio]
): Promise<void> {
  const { width, height } = size;
  const temp = `${file}.partial.mp4`;
  await fs.mkdir(path.dirname(file), { recursive: true });
  await runFfmpeg(
    [
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${width}x${height}`,
      '-r',
      String(FPS),
      '-i',
      'pipe:0',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-crf',
      '20',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      temp,
    ],
    { stdin: framesOf(frames) }
  );
  await fs.rename(temp, file);
}

/**
 * Renders a clip for a video spec, decoding each reference (given as bytes) first. Frames are
 * the emulator's small size for the spec's aspect ratio unless `size` asks for others (the
 * scorer evaluation renders at a size hosted models output).
 */
export async function renderClip(
  spec: VideoSpec,
  referenceBytes: Buffer[],
  file: string,
  size?: FrameSize
): Promise<void> {
  const frameSize = size ?? frameSizes[spec.aspectRatio];
  const height = referenceHeight(spec.aspectRatio, frameSize);
  const references = await Promise.all(referenceBytes.map((bytes) => decodeImageToHeight(bytes, height)));
  await encode(spec, renderFrames(spec, references, frameSize), file, frameSize);
}

/**
 * Renders an image-to-video clip: the first frame (any size, fitted to the clip's) animated;
 * `driftBytes`, another identity drawn over the first reference's place.
 */
export async function renderAnimation(
  spec: VideoSpec,
  firstFrameBytes: Buffer,
  file: string,
  driftBytes?: Buffer
): Promise<void> {
  const { width, height } = frameSizes[spec.aspectRatio];
  const first = await decodeImage(firstFrameBytes, width, height);
  const drift = driftBytes ? await decodeImageToHeight(driftBytes, referenceHeight(spec.aspectRatio)) : undefined;
  await encode(spec, animateFrames(spec, first, drift), file);
}

/** Renders an image model's picture: the first frame a video model would draw for the same scene, as PNG. */
export async function renderImage(spec: ImageSpec, referenceBytes: Buffer[], file: string): Promise<void> {
  const height = referenceHeight(spec.aspectRatio);
  const references = await Promise.all(referenceBytes.map((bytes) => decodeImageToHeight(bytes, height)));
  const [frame] = renderFrames({ ...spec, durationSec: 1 / FPS }, references);
  const size = frameSizes[spec.aspectRatio];
  const temp = `${file}.partial.png`;
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(temp, await encodePng({ ...size, data: frame! }));
  await fs.rename(temp, file);
}

/** A small stand-in clip for the no-render mode, made once per emulator and copied per prediction. */
export async function renderPlaceholder(file: string, durationSec: number): Promise<void> {
  const spec = {
    prompt: 'placeholder',
    seed: 0,
    durationSec,
    aspectRatio: '16:9' as const,
    references: [],
    fidelity: 0,
  };
  await encode(spec, renderFrames(spec, []), file);
}
