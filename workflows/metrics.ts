import { metricMeter } from '@temporalio/workflow';
import type { Instruments } from './rules/instruments';

/**
 * scenegate's metrics through the worker's metric meter (Prometheus or OTLP, as the worker's
 * Runtime exports them; nothing is emitted while a history replays). Dollars are histograms:
 * their `_sum` is the money and their `_count` the calls. Predictions in flight are created
 * minus booked.
 */
export function workflowInstruments(): Instruments {
  const created = metricMeter.createCounter('scenegate_predictions_created', '1', 'paid predictions created');
  const booked = metricMeter.createCounter('scenegate_predictions_booked', '1', 'paid predictions booked, by outcome');
  const reserved = metricMeter.createHistogram(
    'scenegate_reserved_usd',
    'float',
    'USD',
    'money reserved per prediction'
  );
  const spent = metricMeter.createHistogram('scenegate_spent_usd', 'float', 'USD', 'money booked per paid call');
  const gate = metricMeter.createCounter('scenegate_gate_verdicts', '1', 'gate verdicts on clips');
  const scene = metricMeter.createHistogram(
    'scenegate_scene_seconds',
    'float',
    's',
    'scene wall time, first attempt to clip'
  );
  return {
    predictionCreated(model, kind, reservedUsd) {
      created.add(1, { model, kind });
      reserved.record(reservedUsd, { model, kind });
    },
    callBooked(model, kind, outcome, costUsd) {
      booked.add(1, { model, kind, outcome });
      spent.record(costUsd, { model, kind });
    },
    gateVerdict(verdict) {
      gate.add(1, { verdict });
    },
    sceneDone(model, seconds) {
      scene.record(seconds, { model });
    },
  };
}
