import type { Prediction } from 'replicate';
import { estimateCostUsd, type Pricing } from '../schema/catalogue';

/**
 * What a finished prediction cost, by the catalogue's price. Succeeded runs are billed on
 * their real output; failed runs as Replicate bills them (the full estimate for
 * per-output-second and per-run prices); a run cancelled after it started counts its full
 * estimate, an upper bound, so the ledger never under-counts; one that never started is free.
 */
export function predictionCostUsd(
  pricing: Pricing,
  prediction: Pick<Prediction, 'status' | 'started_at' | 'metrics'>,
  outputSec: number
): number {
  const predictSec = prediction.metrics?.predict_time ?? 0;
  if (prediction.status === 'aborted' || (prediction.status === 'canceled' && !prediction.started_at)) return 0;
  if (pricing.kind === 'per-predict-second') return pricing.usd * predictSec;
  return estimateCostUsd(pricing, outputSec);
}
