import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ScorerErrorInfo, ScorerReplyMessage } from './scorer-protocol';
import { VisionUnavailableError } from './vision-packages';
import { VisionReferenceError, type VisionScoreRequest, type VisionScoreResult } from './vision-scorer';

/** Variables the scorer process needs: where programs and the media tools are, its idle time, memory options. Never a secret. */
const PASSED_ENV = [
  'PATH',
  'HOME',
  'TMPDIR',
  'TZ',
  'LANG',
  'FFMPEG_PATH',
  'FFPROBE_PATH',
  'SCENEGATE_VISION_IDLE_SEC',
  'NODE_OPTIONS',
  'MALLOC_ARENA_MAX',
];

/** The scorer process ended before it answered (it crashed, or was killed for memory): a retry starts another. */
export class ScorerProcessError extends Error {
  override readonly name = 'ScorerProcessError';
}

/**
 * The scorer process's entry: the TypeScript source run through tsx when this module is
 * itself the source (npm start, tests), the bundled `vision-scorer.js` beside the worker in the
 * production build (devenv/production-build.ts).
 */
function entry(): { file: string; execArgv: string[] } {
  if (import.meta.filename.endsWith('.ts')) {
    return {
      file: path.join(import.meta.dirname, 'scorer-main.ts'),
      execArgv: ['--import', import.meta.resolve('tsx')],
    };
  }
  return { file: path.join(import.meta.dirname, 'vision-scorer.js'), execArgv: [] };
}

/**
 * Scores clips in the `vision` scorer's own process, started on the first request and again
 * after it exits (idle, or crashed), so a worker that never scores never loads the models.
 */
export class VisionScorerClient {
  private child?: ChildProcess;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(r: VisionScoreResult): void; reject(e: Error): void }>();

  /**
   * @throws VisionUnavailableError, VisionReferenceError as the scorer reports them;
   * ScorerProcessError when its process ends first.
   */
  score(request: VisionScoreRequest): Promise<VisionScoreResult> {
    const child = this.process();
    const id = this.nextId++;
    child.channel?.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      child.send({ id, request }, (err) => {
        if (err)
          this.settle(id, {
            id,
            error: {
              name: 'ScorerProcessError',
              message: `the vision scorer process did not take the request: ${err.message}`,
            },
          });
      });
    });
  }

  /** Ends the scorer process, if one runs (a worker shutting down). */
  close(): void {
    this.child?.kill();
  }

  private process(): ChildProcess {
    if (this.child && this.child.connected) return this.child;
    const { file, execArgv } = entry();
    const env = Object.fromEntries(
      PASSED_ENV.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]]))
    );
    const child = fork(file, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (message: ScorerReplyMessage) => this.settle(message.id, message));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      for (const id of [...this.waiting.keys()]) {
        this.settle(id, {
          id,
          error: {
            name: 'ScorerProcessError',
            message: `the vision scorer process ended (${signal ?? `exit code ${code}`}) before it answered`,
          },
        });
      }
    });
    // a worker must not wait on its scorer to exit
    child.unref();
    child.channel?.unref();
    this.child = child;
    return child;
  }

  private settle(id: number, message: ScorerReplyMessage): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    if ('result' in message) waiter.resolve(message.result);
    else waiter.reject(errorFrom(message.error));
    // no score in flight: the process may go on idling, but must not keep the worker's event loop alive
    if (this.waiting.size === 0) this.child?.channel?.unref();
  }
}

function errorFrom(info: ScorerErrorInfo): Error {
  if (info.name === 'VisionUnavailableError' && info.packageName) return new VisionUnavailableError(info.packageName);
  if (info.name === 'VisionReferenceError' && info.referencePath)
    return new VisionReferenceError(info.referencePath, info.message);
  if (info.name === 'ScorerProcessError') return new ScorerProcessError(info.message);
  return new Error(`the vision scorer failed: ${info.name}: ${info.message}`);
}
