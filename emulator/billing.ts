import type { Price } from './knobs';

export interface BillableRun {
  status: 'succeeded' | 'failed' | 'canceled' | 'aborted';
  /** Whether it ever reached `processing`. */
  started: boolean;
  outputSec: number;
  predictSec: number;
}

/**
 * What the emulator charges for a finished prediction: time-priced models for the seconds they
 * ran; output- and run-priced models their full price once started, whether the run succeeded,
 * failed (when failures are billed) or was cancelled part-way (Replicate does not publish what
 * it bills then; this is the reading that never bills less than it might); a run that never
 * started (aborted, or cancelled while starting) nothing.
 */
export function billUsd(price: Price, run: BillableRun, billFailed: boolean): { usd: number; seconds: number } {
  if (!run.started || run.status === 'aborted') return { usd: 0, seconds: 0 };
  if (run.status === 'failed' && !billFailed) return { usd: 0, seconds: 0 };
  if ('perPredictSecondUsd' in price)
    return { usd: price.perPredictSecondUsd * run.predictSec, seconds: run.predictSec };
  if ('perRunUsd' in price) return { usd: price.perRunUsd, seconds: run.outputSec };
  return { usd: price.perOutputSecondUsd * run.outputSec, seconds: run.outputSec };
}
