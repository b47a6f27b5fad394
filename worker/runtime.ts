import { format } from 'node:util';
import { DefaultLogger, Runtime, type LogEntry, type RuntimeOptions } from '@temporalio/worker';
import { oneLine } from '../common/one-line';
import type { Settings } from '../common/settings';

/**
 * The SDK's default log line (time, level, message, fields on stderr) with the message kept on
 * one line: workflow and activity logs carry text from plans, messages and models, which must not
 * forge a line or restyle an operator's terminal. Fields are printed by `util.format`, which escapes
 * control characters inside strings already.
 */
export function singleLineLogger(write: (line: string) => void = (line) => process.stderr.write(line)): DefaultLogger {
  return new DefaultLogger('INFO', ({ level, message, meta, timestampNanos }: LogEntry) => {
    const time = new Date(Number(timestampNanos / 1_000_000n)).toISOString();
    write(`${time} [${level}] ${oneLine(message)}${meta === undefined ? '' : ` ${format(meta)}`}\n`);
  });
}

/**
 * Installs the process's Temporal runtime, serving Prometheus metrics on
 * SCENEGATE_METRICS_ADDRESS when set: the SDK's own (task latencies, slots, polls) and
 * scenegate's from workflow code (see workflows/metrics.ts). Counters get the `_total` suffix
 * Prometheus expects.
 */
export function installRuntime(
  settings: Pick<Settings, 'SCENEGATE_METRICS_ADDRESS'>,
  options: RuntimeOptions = {}
): Runtime {
  const address = settings.SCENEGATE_METRICS_ADDRESS;
  return Runtime.install({
    logger: singleLineLogger(),
    ...options,
    telemetryOptions: {
      ...options.telemetryOptions,
      ...(address ? { metrics: { prometheus: { bindAddress: address, countersTotalSuffix: true } } } : {}),
    },
  });
}
