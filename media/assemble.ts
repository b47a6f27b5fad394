import fs from 'node:fs/promises';
import { probeMedia, runFfmpeg } from './ffmpeg';

/** Frame rate of the final video; clips at other rates are resampled in time, not stretched. */
const OUTPUT_FPS = 24;

export interface AssembledVideo {
  outputPath: string;
  durationSec: number;
  sizeBytes: number;
}

/**
 * Joins clips, in the order given, into one H.264 MP4 (yuv420p, faststart). Clips may differ in
 * size and frame rate (hosted models do): each is fitted into the first clip's frame with
 * letterboxing and resampled to 24 fps. Audio is left out: scenes are generated silent (the
 * catalogue turns model audio off) and a soundtrack is an editing decision made afterwards.
 * The file is written beside the target and renamed into place only once ffprobe reads it,
 * so a half-written video is never presented as the result.
 */
export async function assembleVideo(options: {
  clips: readonly string[];
  outputPath: string;
}): Promise<AssembledVideo> {
  if (options.clips.length === 0) throw new Error('no clips to assemble');
  const first = await probeMedia(options.clips[0]!);
  const width = first.width + (first.width % 2);
  const height = first.height + (first.height % 2);
  const inputs = options.clips.flatMap((clip) => ['-i', clip]);
  const fitted = options.clips
    .map(
      (_, i) =>
        `[${i}:v]scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${OUTPUT_FPS},format=yuv420p[v${i}]`
    )
    .join(';');
  const joined = `${options.clips.map((_, i) => `[v${i}]`).join('')}concat=n=${options.clips.length}:v=1:a=0[out]`;
  const temp = `${options.outputPath}.partial.mp4`;
  try {
    await runFfmpeg([
      '-y',
      ...inputs,
      '-filter_complex',
      `${fitted};${joined}`,
      '-map',
      '[out]',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '20',
      '-movflags',
      '+faststart',
      temp,
    ]);
    const { durationSec } = await probeMedia(temp);
    await fs.rename(temp, options.outputPath);
    const { size } = await fs.stat(options.outputPath);
    return { outputPath: options.outputPath, durationSec, sizeBytes: size };
  } finally {
    await fs.rm(temp, { force: true });
  }
}
