import fs from 'node:fs/promises';
import { probeMedia } from './ffmpeg';

/**
 * The duration of an MP4 (ISO BMFF) file from its `moov/mvhd` header, in seconds, or undefined
 * when the file is not one this can read. Reads only box headers: milliseconds, where spawning
 * ffprobe costs tens of them on every clip.
 */
export async function mp4DurationSec(file: string): Promise<number | undefined> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    };
    /** The [start, end) of the first box of `type` between `from` and `to`. */
    const find = async (type: string, from: number, to: number): Promise<[number, number] | undefined> => {
      for (let at = from; at + 8 <= to;) {
        const header = await read(at, 16);
        if (header.length < 8) return undefined;
        let boxSize = header.readUInt32BE(0);
        let bodyStart = at + 8;
        if (boxSize === 1) {
          if (header.length < 16) return undefined;
          boxSize = Number(header.readBigUInt64BE(8));
          bodyStart = at + 16;
        } else if (boxSize === 0) {
          boxSize = to - at;
        }
        if (boxSize < 8) return undefined;
        if (header.toString('latin1', 4, 8) === type) return [bodyStart, at + boxSize];
        at += boxSize;
      }
      return undefined;
    };
    const moov = await find('moov', 0, size);
    const mvhd = moov && (await find('mvhd', moov[0], moov[1]));
    if (!mvhd) return undefined;
    const body = await read(mvhd[0], 32);
    const version = body[0];
    const [timescale, duration] =
      version === 1
        ? [body.readUInt32BE(20), Number(body.readBigUInt64BE(24))]
        : [body.readUInt32BE(12), body.readUInt32BE(16)];
    return timescale > 0 ? duration / timescale : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** A clip's duration: from its MP4 header when it has one, else from ffprobe. */
export async function clipDurationSec(file: string): Promise<number> {
  return (await mp4DurationSec(file)) ?? (await probeMedia(file)).durationSec;
}
