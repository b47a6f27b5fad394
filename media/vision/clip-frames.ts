import { runFfmpeg, runFfprobe } from '../ffmpeg';
import type { RgbImage } from '../raw-image';
import { isStillImage } from './still-image';

/** What the scorer needs to know of its input before taking frames: its size, length and frame rate. */
export interface ClipShape {
  width: number;
  height: number;
  /** 0 for a still image (a keyframe). */
  durationSec: number;
  fps: number;
  still: boolean;
}

/** A clip's or a still image's shape, from one ffprobe. */
export async function clipShape(file: string): Promise<ClipShape> {
  const still = await isStillImage(file);
  const raw = await runFfprobe([
    '-print_format',
    'json',
    '-select_streams',
    'v:0',
    '-show_entries',
    'format=duration:stream=width,height,r_frame_rate',
    file,
  ]);
  const parsed = JSON.parse(raw.toString()) as {
    format?: { duration?: string };
    streams?: { width?: number; height?: number; r_frame_rate?: string }[];
  };
  const stream = parsed.streams?.[0];
  const [num, den] = (stream?.r_frame_rate ?? '25/1').split('/').map(Number) as [number, number];
  const duration = Number(parsed.format?.duration);
  return {
    width: stream?.width ?? 0,
    height: stream?.height ?? 0,
    durationSec: still || !Number.isFinite(duration) ? 0 : duration,
    fps: num > 0 && den > 0 ? num / den : 25,
    still,
  };
}

/**
 * The frames nearest `times` (seconds), scaled to width x height, decoded in one pass over the
 * clip: seeking to each frame apart decodes the clip from its keyframe again every time (a 5 s
 * clip with one keyframe cost three times the CPU). A time past the clip's end gives no frame.
 */
export async function framesAt(
  file: string,
  shape: ClipShape,
  times: readonly number[],
  width: number,
  height: number
): Promise<{ atSec: number; frame: RgbImage }[]> {
  const numbers = times.map((t) => Math.floor(t * shape.fps));
  const select = [...new Set(numbers)].map((n) => `eq(n\\,${n})`).join('+');
  const data = await runFfmpeg([
    '-i',
    file,
    '-vf',
    `select='${select}',scale=${width}:${height}:flags=area`,
    '-vsync',
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ]);
  const size = width * height * 3;
  const unique = [...new Set(numbers)].sort((a, b) => a - b);
  const frames = unique.slice(0, Math.floor(data.length / size)).map((n, i) => ({
    n,
    frame: { width, height, data: data.subarray(i * size, (i + 1) * size) },
  }));
  return times.flatMap((t, i) => {
    const found = frames.find((f) => f.n === numbers[i]);
    return found ? [{ atSec: t, frame: found.frame }] : [];
  });
}
