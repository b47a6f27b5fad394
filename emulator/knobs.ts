import { z } from 'zod';

const latencySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), ms: z.number().nonnegative() }),
  z.object({ kind: z.literal('uniform'), minMs: z.number().nonnegative(), maxMs: z.number().nonnegative() }),
  z.object({ kind: z.literal('lognormal'), medianMs: z.number().positive(), sigma: z.number().nonnegative() }),
]);

export const priceSchema = z.union([
  z.object({ perOutputSecondUsd: z.number().nonnegative() }),
  z.object({ perRunUsd: z.number().nonnegative() }),
  z.object({ perPredictSecondUsd: z.number().nonnegative() }),
]);
export type Price = z.infer<typeof priceSchema>;

const rate = z.number().min(0).max(1);
const count = z.number().int().nonnegative();

/**
 * How one emulated model behaves: timing, output, faults and price. Rates draw from the
 * emulator's seeded random source; `...Next` counters hit the next N predictions for certain.
 */
export const modelKnobsSchema = z.object({
  /** Time in `starting` (queue, cold boot) before `processing`. */
  startingMs: z.number().nonnegative().default(50),
  /** Time in `processing`. */
  latency: latencySchema.default({ kind: 'fixed', ms: 300 }),
  /** Added processing time per second of requested output: uneven durations give uneven scene times. */
  msPerOutputSecond: z.number().nonnegative().default(0),
  /** `ffmpeg` renders a real clip; `none` returns a small pre-made clip (orchestration benchmarks). */
  render: z.enum(['ffmpeg', 'none']).default('ffmpeg'),
  failureRate: rate.default(0),
  failNext: count.default(0),
  failureError: z.string().default('The input or output was flagged as sensitive. (E005)'),
  /** Every prediction whose prompt contains this text fails (a scene that always fails, for tests). */
  failWhenPromptIncludes: z.string().optional(),
  /**
   * A scene that loses its identity: the next `attempts` predictions whose prompt contains
   * `promptIncludes` (the emulator sees only the model input, so a scene is chosen by its prompt)
   * draw `image` (a file path; default: examples/references/noor.png, another person) where
   * their first reference image belongs, as a model that drew someone else would. The consistency
   * check's tests prove a drift is caught with it.
   */
  drift: z
    .object({
      promptIncludes: z.string().min(1),
      attempts: count.default(1),
      image: z.string().min(1).optional(),
    })
    .optional(),
  /** Create answers 500/503 and creates nothing. */
  serverErrorRate: rate.default(0),
  serverErrorNext: count.default(0),
  /** The next N creates answer 429 with Retry-After. */
  rateLimitNext: count.default(0),
  retryAfterSec: z.number().nonnegative().default(1),
  /** The prediction never finishes by itself (until cancelled or its Cancel-After deadline). */
  hangRate: rate.default(0),
  hangNext: count.default(0),
  /**
   * Every new prediction stays `processing` until the test releases it (`Emulator.release`), so
   * a test can look at what is in flight at a moment it chose instead of racing the clock.
   */
  hold: z.boolean().default(false),
  /** Creates answer 402 "Insufficient credit" and create nothing, as an empty account does. */
  insufficientCredit: z.boolean().default(false),
  /**
   * Milliseconds between creating a prediction and answering the create, as a network and a busy
   * API add: a client that dies in between has paid for a prediction it never heard of.
   */
  createAnswerDelayMs: z.number().nonnegative().default(0),
  /** The prediction is created (and billed) but the connection drops before the answer. */
  dropAfterCreateRate: rate.default(0),
  dropAfterCreateNext: count.default(0),
  price: priceSchema.optional(),
  /**
   * The model downloads image URLs itself without a token, as community models on hosted
   * Replicate do (clip-features' own code): a Files API URL then gives it a JSON page that needs
   * the token, not the image. Off, the emulator hands the model its own files as a convenience.
   */
  fetchesWithoutToken: z.boolean().default(false),
  /** Inputs the served schema (GET /v1/models/...) replaces or, with null, drops: an upstream change, for `models check`. */
  schemaChanges: z.record(z.string(), z.looseObject({}).nullable()).default({}),
  /** Whether a failed prediction is billed. */
  billFailed: z.boolean().default(true),
  /** Send the terminal webhook twice (handlers must be idempotent). */
  duplicateWebhooks: z.boolean().default(false),
  /** The final webhook of the next N predictions (or this share of them) is never sent, as when one is lost. */
  webhookLossNext: count.default(0),
  webhookLossRate: rate.default(0),
});
export type ModelKnobs = z.infer<typeof modelKnobsSchema>;
export type ModelKnobsInput = z.input<typeof modelKnobsSchema>;
export const modelKnobsPatchSchema = modelKnobsSchema.partial();

/** Milliseconds of processing for one prediction under the knobs, drawn from `random`. */
export function drawLatencyMs(knobs: ModelKnobs, outputSec: number, random: () => number): number {
  const extra = knobs.msPerOutputSecond * outputSec;
  const l = knobs.latency;
  switch (l.kind) {
    case 'fixed':
      return l.ms + extra;
    case 'uniform':
      return l.minMs + (l.maxMs - l.minMs) * random() + extra;
    case 'lognormal': {
      // Box-Muller: a standard normal from two uniforms
      const n = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return l.medianMs * Math.exp(l.sigma * n) + extra;
    }
  }
}
