import type { PrepareGenerationResult } from '../../schema/activities';

/** A scorer a consistency check can run: any the gate has but `manual`, which scores nothing. */
export type CheckScorer = Exclude<PrepareGenerationResult['scorer'], 'manual'>;

/**
 * The scorer the consistency check after the gate scores a scene's clip with: the one the gate
 * uses, as preparation resolved it, so a check and the gate measure alike and a scorer added to
 * the gate (through the `scoreClip` activity) is the check's at once. The one place a check's
 * scorer is chosen. Null for `manual`: a person judges gate scenes, and nothing could score the
 * others (the plan schema refuses `gate.scorer: manual` with a consistency section; this is a
 * worker that resolved an unset scorer to `manual`).
 */
export function checkScorerOf(gateScorer: PrepareGenerationResult['scorer']): CheckScorer | null {
  return gateScorer === 'manual' ? null : gateScorer;
}
