import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Settings } from '../common/settings';

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
    ...options,
    telemetryOptions: {
      ...options.telemetryOptions,
      ...(address ? { metrics: { prometheus: { bindAddress: address, countersTotalSuffix: true } } } : {}),
    },
  });
}
