import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadSettings } from '../common/settings';

const require = createRequire(import.meta.url);

/**
 * A path in a tool's output without its folders (`/srv/storage/gen/clips/s1.mp4` becomes
 * `s1.mp4`): the message goes into workflow history and the console, which have no business
 * knowing the worker's file layout.
 */
export function withoutFolders(text: string): string {
  return text.replace(/(?<=^|[\s'"(=:])(?:\/[^\s/'"]+)*\/([^\s/'"]+)/g, '$1');
}

/** Thrown when ffmpeg or ffprobe exits non-zero; carries the command's tail of stderr, paths reduced to file names. */
export class MediaToolError extends Error {
  override readonly name = 'MediaToolError';
  constructor(
    readonly tool: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string
  ) {
    // the tool's own arguments first: their folders may hold spaces, which the pattern stops at
    const tail = args
      .filter((arg) => path.isAbsolute(arg))
      .reduce(
        (text, file) => text.split(path.dirname(file) + path.sep).join(''),
        stderr.trim().split('\n').slice(-3).join(' | ')
      );
    super(`${tool} exited with ${exitCode}: ${withoutFolders(tail)}`);
  }
}

/** The binary an installer package ships was found, but cannot be run and could not be made runnable. */
export class ToolNotExecutableError extends Error {
  override readonly name = 'ToolNotExecutableError';
  constructor(
    readonly file: string,
    readonly setting: string,
    cause: unknown
  ) {
    super(
      `${file} is not executable and could not be made so (${(cause as Error).message}): run chmod u+x on it, allow its package's install script, or set ${setting} to another binary`,
      { cause }
    );
  }
}

const madeExecutable = new Set<string>();

/**
 * `file`, made executable by its owner if it is not. The installer packages set the bit in an
 * install script (`chmod u+x`), and npm 11 runs a dependency's install script only when the
 * installing project allows it (`allowScripts`), so a worker installed as a dependency may find
 * its ffmpeg unrunnable. Checked once per file and process.
 * @throws ToolNotExecutableError when the bit cannot be set (a read-only node_modules).
 */
export function executableTool(file: string, setting: string): string {
  if (madeExecutable.has(file)) return file;
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    try {
      fs.chmodSync(file, fs.statSync(file).mode | 0o100);
      fs.accessSync(file, fs.constants.X_OK);
    } catch (err) {
      throw new ToolNotExecutableError(file, setting, err);
    }
  }
  madeExecutable.add(file);
  return file;
}

function installerPath(pkg: string, setting: string): string | undefined {
  let file: string;
  try {
    file = (require(pkg) as { path: string }).path;
  } catch {
    return undefined;
  }
  return executableTool(file, setting);
}

/** ffmpeg binary: `FFMPEG_PATH`, else the one @ffmpeg-installer/ffmpeg ships (see `executableTool`), else `ffmpeg` on PATH. */
function ffmpegPath(): string {
  return loadSettings().FFMPEG_PATH ?? installerPath('@ffmpeg-installer/ffmpeg', 'FFMPEG_PATH') ?? 'ffmpeg';
}

/** ffprobe binary: `FFPROBE_PATH`, else the one @ffprobe-installer/ffprobe ships, else `ffprobe` on PATH. */
function ffprobePath(): string {
  return loadSettings().FFPROBE_PATH ?? installerPath('@ffprobe-installer/ffprobe', 'FFPROBE_PATH') ?? 'ffprobe';
}

export interface RunToolOptions {
  /** Bytes written to the tool's stdin (raw frames, for example). */
  stdin?: Buffer | AsyncIterable<Buffer>;
  signal?: AbortSignal;
}

async function runTool(tool: string, bin: string, args: string[], options: RunToolOptions = {}): Promise<Buffer> {
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    // keep only the tail: ffmpeg can be chatty and we only report the last lines
    err = (err + chunk.toString()).slice(-8000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  // a tool that exits early closes stdin; the EPIPE is reported through the exit code instead
  child.stdin.on('error', () => undefined);
  if (options.stdin === undefined) {
    child.stdin.end();
  } else if (Buffer.isBuffer(options.stdin)) {
    child.stdin.end(options.stdin);
  } else {
    for await (const chunk of options.stdin) {
      if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
    }
    child.stdin.end();
  }
  const code = await exited;
  if (code !== 0) throw new MediaToolError(tool, args, code, err);
  return Buffer.concat(out);
}

/** Runs ffmpeg quietly with the given arguments and returns its stdout. */
export function runFfmpeg(args: string[], options?: RunToolOptions): Promise<Buffer> {
  return runTool('ffmpeg', ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], options);
}

/** Runs ffprobe with the given arguments and returns its stdout. */
export function runFfprobe(args: string[], options?: RunToolOptions): Promise<Buffer> {
  return runTool('ffprobe', ffprobePath(), ['-hide_banner', '-loglevel', 'error', ...args], options);
}

export interface MediaInfo {
  durationSec: number;
  width: number;
  height: number;
  codec: string;
}

/** Reads a media file's container duration and its first video stream's size and codec. */
export async function probeMedia(file: string): Promise<MediaInfo> {
  const raw = await runFfprobe([
    '-print_format',
    'json',
    '-show_entries',
    'format=duration:stream=codec_type,codec_name,width,height',
    file,
  ]);
  const parsed = JSON.parse(raw.toString()) as {
    format?: { duration?: string };
    streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number }[];
  };
  const video = parsed.streams?.find((s) => s.codec_type === 'video');
  const durationSec = Number(parsed.format?.duration);
  if (!video || !Number.isFinite(durationSec)) {
    throw new MediaToolError('ffprobe', [file], 0, `no video stream or duration in ${withoutFolders(file)}`);
  }
  return { durationSec, width: video.width ?? 0, height: video.height ?? 0, codec: video.codec_name ?? 'unknown' };
}
