/** When a paid call's prediction is read, counted from its create. */
export interface ReadSchedule {
  /** The first read, this long after the create. */
  firstAfterMs: number;
  /** Then one read every this long, until it is seen to end. */
  everyMs: number;
}

/** The longest wait between reads of a prediction without a webhook: its end is seen within this much. */
export const PROMPT_READ_MAX_MS = 8_000;
/** The shortest: a model that usually takes seconds is not read more than once a second. */
const PROMPT_READ_MIN_MS = 1_000;

/**
 * How a prediction is read while the workflow waits for its end.
 *
 * - With a webhook coming, a read only makes up for a lost one: the first after the model's
 *   typical time plus `checkMs` (`timeouts.predictionCheck`), then one every `checkMs`.
 * - Without one (no public URL for the receiver), reads are the only way to see the end: the
 *   first at half the typical time, then every quarter of it, between 1 s and 8 s (never more
 *   than `checkMs`). An end is thus seen within 8 s, and a prediction costs at most 60 reads a
 *   minute (models that usually take under 4 s), 7.5 for the minutes-long video models: 400 of
 *   those in flight stay inside Replicate's 3,000 reads a minute for an account.
 * - Runs begun before prompt reads (`prompt` false) read without a webhook as with one, from the
 *   typical time: their histories replay as they ran.
 */
export function readSchedule(
  call: { typicalMs: number; webhook: boolean },
  checkMs: number,
  prompt: boolean
): ReadSchedule {
  if (call.webhook) return { firstAfterMs: call.typicalMs + checkMs, everyMs: checkMs };
  if (!prompt) return { firstAfterMs: call.typicalMs, everyMs: checkMs };
  const everyMs = Math.min(checkMs, PROMPT_READ_MAX_MS, Math.max(PROMPT_READ_MIN_MS, call.typicalMs / 4));
  return { firstAfterMs: call.typicalMs / 2, everyMs };
}
