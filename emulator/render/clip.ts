import fs from 'node:fs/promises';
import path from 'node:path';
import { runFfmpeg } from '../../media/ffmpeg';
import { decodeImageToHeight, type RgbImage } from '../../media/raw-image';
import type { VideoSpec } from '../models';
import { FPS, frameSizes, referenceHeight, renderFrames, type FrameSize } from './frames';

async function* framesOf(spec: VideoSpec, references: RgbImage[], size: FrameSize): AsyncGenerator<Buffer> {
  for (const frame of renderFrames(spec, references, size)) yield frame;
}

/** Encodes raw frames to a small H.264 MP4 (yuv420p, faststart), written atomically to `file`. */
async function encode(
  spec: VideoSpec,
  references: RgbImage[],
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
    { stdin: framesOf(spec, references, size) }
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
  await encode(spec, references, file, frameSize);
}

/** A small stand-in clip for the no-render mode, made once per emulator and copied per prediction. */
export async function renderPlaceholder(file: string, durationSec: number): Promise<void> {
  await encode(
    { prompt: 'placeholder', seed: 0, durationSec, aspectRatio: '16:9', references: [], fidelity: 0 },
    [],
    file
  );
}
