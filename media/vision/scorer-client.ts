import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ScorerErrorInfo, ScorerReplyMessage } from './scorer-protocol';
import { VisionUnavailableError } from './vision-packages';
import {
  VisionReferenceError,
  type VisionReference,
  type VisionScoreRequest,
  type VisionScoreResult,
} from './vision-scorer';

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
 * Which process scores a reference: faces (TensorFlow.js, about 250 MB) and objects (OpenCV,
 * about 110 MB) each in their own, so a plan with characters only never holds OpenCV and one
 * with products only never holds the face nets.
 */
export type ScorerLane = 'faces' | 'objects';

function laneOf(kind: VisionReference['kind']): ScorerLane {
  return kind === 'character' ? 'faces' : 'objects';
}

/**
 * Scores clips in the `vision` scorer's own processes, one per lane, each started on the first
 * request that needs it and again after it exits (idle, or crashed), so a worker that never
 * scores never loads a model. A request with characters and products is split between them and
 * its answers put back in the references' order.
 */
export class VisionScorerClient {
  private readonly children = new Map<ScorerLane, ChildProcess>();
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { lane: ScorerLane; resolve(r: VisionScoreResult): void; reject(e: Error): void }
  >();

  /**
   * @throws VisionUnavailableError, VisionReferenceError as the scorer reports them;
   * ScorerProcessError when its process ends first.
   */
  async score(request: VisionScoreRequest): Promise<VisionScoreResult> {
    const lanes = [...new Set(request.references.map((r) => laneOf(r.kind)))];
    if (lanes.length <= 1) return this.scoreIn(lanes[0] ?? 'faces', request);
    const parts = await Promise.all(
      lanes.map(async (lane) => {
        const indexes = request.references.flatMap((r, i) => (laneOf(r.kind) === lane ? [i] : []));
        const result = await this.scoreIn(lane, {
          ...request,
          references: indexes.map((i) => request.references[i]!),
        });
        return { indexes, result };
      })
    );
    const perReference: VisionScoreResult['perReference'] = [];
    for (const { indexes, result } of parts) indexes.forEach((at, i) => (perReference[at] = result.perReference[i]!));
    const cpuSec = Math.round(parts.reduce((sum, p) => sum + p.result.cpuSec, 0) * 100) / 100;
    return { perReference, cpuSec };
  }

  /** A lane's process id while it runs (memory probes read its /proc entry). */
  pid(lane: ScorerLane): number | undefined {
    return this.children.get(lane)?.pid;
  }

  /** Ends the scorer processes that run (a worker shutting down). */
  close(): void {
    for (const child of this.children.values()) child.kill();
  }

  private scoreIn(lane: ScorerLane, request: VisionScoreRequest): Promise<VisionScoreResult> {
    const child = this.process(lane);
    const id = this.nextId++;
    child.channel?.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { lane, resolve, reject });
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

  private process(lane: ScorerLane): ChildProcess {
    const running = this.children.get(lane);
    if (running && running.connected) return running;
    const { file, execArgv } = entry();
    const env = Object.fromEntries(
      PASSED_ENV.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]]))
    );
    const child = fork(file, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (message: ScorerReplyMessage) => this.settle(message.id, message));
    child.on('exit', (code, signal) => {
      if (this.children.get(lane) === child) this.children.delete(lane);
      for (const [id, waiter] of [...this.waiting.entries()]) {
        if (waiter.lane !== lane) continue;
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
    this.children.set(lane, child);
    return child;
  }

  private settle(id: number, message: ScorerReplyMessage): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    if ('result' in message) waiter.resolve(message.result);
    else waiter.reject(errorFrom(message.error));
    // no score in flight in that lane: its process may go on idling, but must not keep the worker's event loop alive
    if (![...this.waiting.values()].some((w) => w.lane === waiter.lane))
      this.children.get(waiter.lane)?.channel?.unref();
  }
}

function errorFrom(info: ScorerErrorInfo): Error {
  if (info.name === 'VisionUnavailableError' && info.packageName) return new VisionUnavailableError(info.packageName);
  if (info.name === 'VisionReferenceError' && info.referencePath)
    return new VisionReferenceError(info.referencePath, info.message);
  if (info.name === 'ScorerProcessError') return new ScorerProcessError(info.message);
  return new Error(`the vision scorer failed: ${info.name}: ${info.message}`);
}
