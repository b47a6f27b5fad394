import type { Price } from './knobs';

export interface BillableRun {
  status: 'succeeded' | 'failed' | 'canceled' | 'aborted';
  /** Whether it ever reached `processing`. */
  started: boolean;
  outputSec: number;
  predictSec: number;
  /** Fraction of the planned processing time that elapsed (for a run cancelled mid-way). */
  processedFraction: number;
}

/**
 * What the emulator charges for a finished prediction: succeeded per output second or per run;
 * failed as if complete (when failures are billed); cancelled while processing for the part
 * that ran; never started (aborted, or cancelled while starting) nothing.
 */
export function billUsd(price: Price, run: BillableRun, billFailed: boolean): { usd: number; seconds: number } {
  if (!run.started || run.status === 'aborted') return { usd: 0, seconds: 0 };
  if (run.status === 'failed' && !billFailed) return { usd: 0, seconds: 0 };
  if ('perPredictSecondUsd' in price)
    return { usd: price.perPredictSecondUsd * run.predictSec, seconds: run.predictSec };
  if ('perRunUsd' in price) return { usd: price.perRunUsd, seconds: run.outputSec };
  const fraction = run.status === 'canceled' ? Math.min(1, run.processedFraction) : 1;
  const seconds = run.outputSec * fraction;
  return { usd: price.perOutputSecondUsd * seconds, seconds };
}
