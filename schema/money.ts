import { z } from 'zod';

/**
 * The most a budget limit may be, in US dollars: far above any real generation, and low enough
 * that sums of prices stay exact in the ledger's micro-dollars.
 */
export const MAX_BUDGET_USD = 1_000_000;

/** A finite number of US dollars no larger than MAX_BUDGET_USD. */
export const usdAmount = (): z.ZodNumber =>
  z
    .number({ error: 'must be a number of US dollars' })
    .finite({ error: 'must be a finite number of US dollars' })
    .max(MAX_BUDGET_USD, { error: `must be at most ${MAX_BUDGET_USD} US dollars` });
