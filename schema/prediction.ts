import { z } from 'zod';
import { estimateCostUsd, type Pricing } from './catalogue';
import { clipText, UPSTREAM_ERROR_MAX } from './error-text';

/** Where a prediction is: `starting` and `processing` run (and may bill); the others are final. */
export const predictionStatusSchema = z.enum(['starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted']);
export type PredictionStatus = z.infer<typeof predictionStatusSchema>;

/** Final statuses: nothing more happens to the prediction, or to its bill. */
export const finalPredictionStatuses: readonly PredictionStatus[] = ['succeeded', 'failed', 'canceled', 'aborted'];

/** True for a final status; takes any string, as Replicate may add statuses scenegate does not know. */
export function isFinalStatus(status: string): boolean {
  return (finalPredictionStatuses as readonly string[]).includes(status);
}

/**
 * What scenegate keeps of a Replicate prediction: the fields that decide what happens next and
 * what it cost, without its logs or input (both can be large, and the input is in history already).
 */
export const predictionSnapshotSchema = z.object({
  id: z.string(),
  status: predictionStatusSchema,
  /** For a video model a URL (or a list of them); for CLIP a list of embeddings. Null once removed. */
  output: z.unknown(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  /** Seconds of compute Replicate measured (metrics.predict_time), once final. */
  predictTimeSec: z.number().nullable(),
  /** True once Replicate deleted the input and output (an hour after it ended, for API predictions). */
  dataRemoved: z.boolean(),
});
export type PredictionSnapshot = z.infer<typeof predictionSnapshotSchema>;

/**
 * The snapshot of a prediction object as the API (or a webhook) returns it. Its error is cut to
 * `UPSTREAM_ERROR_MAX` characters: the whole text stays on the prediction at Replicate.
 */
export function snapshotOf(prediction: {
  id: string;
  status: string;
  output?: unknown;
  error?: unknown;
  created_at: string;
  started_at?: string | null;
  completed_at?: string | null;
  metrics?: { predict_time?: number } | null;
  data_removed?: boolean;
}): PredictionSnapshot {
  const status = predictionStatusSchema.safeParse(prediction.status);
  return {
    id: prediction.id,
    // an unknown status is treated as still running: the next look will tell
    status: status.success ? status.data : 'processing',
    output: prediction.output ?? null,
    error:
      prediction.error === null || prediction.error === undefined
        ? null
        : clipText(String(prediction.error), UPSTREAM_ERROR_MAX, `on prediction ${prediction.id} at Replicate`),
    createdAt: prediction.created_at,
    startedAt: prediction.started_at ?? null,
    completedAt: prediction.completed_at ?? null,
    predictTimeSec: typeof prediction.metrics?.predict_time === 'number' ? prediction.metrics.predict_time : null,
    dataRemoved: prediction.data_removed === true,
  };
}

/**
 * What a final prediction cost, from the prediction itself, never from an estimate:
 * - a run that never started (aborted, or cancelled while starting) costs nothing;
 * - a time-priced model costs its measured `predict_time`;
 * - an output- or run-priced model costs its price for the output it was asked for, whether it
 *   succeeded, failed or was cancelled after it started. Replicate does not publish what it bills
 *   for a cancelled output-priced run; counting it in full means the ledger never books less than
 *   the bill (the emulator bills the same way, so tests can check booked against billed).
 */
export function predictionCostUsd(
  pricing: Pricing,
  prediction: Pick<PredictionSnapshot, 'status' | 'startedAt' | 'predictTimeSec'>,
  outputSec: number
): number {
  if (prediction.status === 'aborted' || (prediction.status === 'canceled' && !prediction.startedAt)) return 0;
  if (pricing.kind === 'per-predict-second') return pricing.usd * (prediction.predictTimeSec ?? 0);
  return estimateCostUsd(pricing, outputSec);
}
