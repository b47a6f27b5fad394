import type { WriteStream } from 'node:fs';
import { DefaultLogger, type LogEntry, type RuntimeOptions } from '@temporalio/worker';
import { oneLine } from '../common/one-line';

/** SDK components whose warnings concern one generation, which its own progress already shows. */
const generationComponents = new Set(['worker', 'workflow', 'activity']);

export interface WorkerLogOptions {
  /** Where every entry goes, one line each. */
  stream: WriteStream;
  /** Its path, named in the notices. */
  file: string;
  /** Gets a one-line notice for a warning a person must act on. */
  notice: (line: string) => void;
  /** Milliseconds between two notices; warnings in between are counted in the next one. Default 60 s. */
  quietMs?: number;
  now?: () => number;
}

/**
 * The dev stack's Temporal runtime logging: every entry goes to the worker log, including the
 * native core's, which would otherwise print raw, coloured, multi-line warnings to the window
 * (a poll retried while the server is away). A warning or error not about one generation (the
 * core losing Temporal, a refused webhook) also gets one line in the window, pointing at the log.
 */
export function workerRuntimeLogging(options: WorkerLogOptions): Pick<RuntimeOptions, 'logger' | 'telemetryOptions'> {
  const { stream, file, notice, quietMs = 60_000, now = Date.now } = options;
  let lastNotice = -Infinity;
  let unsaid = 0;
  const logger = new DefaultLogger('INFO', (entry: LogEntry) => {
    const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    stream.write(`${time} ${entry.level} ${oneLine(entry.message)} ${JSON.stringify(entry.meta ?? {})}\n`);
    if (entry.level !== 'WARN' && entry.level !== 'ERROR') return;
    if (generationComponents.has(String(entry.meta?.sdkComponent))) return;
    if (now() - lastNotice < quietMs) {
      unsaid++;
      return;
    }
    const more = unsaid ? `; ${unsaid} more since the last notice` : '';
    notice(
      `scenegate: worker ${entry.level === 'WARN' ? 'warning' : 'error'}: ${oneLine(entry.message.split('\n')[0]!).slice(0, 160)} (details in ${file}${more})`
    );
    lastNotice = now();
    unsaid = 0;
  });
  return { logger, telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } } };
}
