import type { Progress } from '../schema/progress';
import { unseenOf } from '../workflows/rules/consistency-checks';

/**
 * The groups a scorer found in none of the frames of a scene's attempt (by the gate, or by the
 * check after it): their score of 0 means the face or product was not there to compare, which a
 * reader would otherwise take for a poor likeness.
 */
export function unseenIn(p: Progress, sceneId: string, attempt: number): string[] {
  const of = (c: { sceneId: string; attempt: number }) => c.sceneId === sceneId && c.attempt === attempt;
  const byGate = p.gate.scores.findLast(of)?.unseen ?? [];
  const byCheck = unseenOf(p.consistency?.checks.findLast(of)?.frames);
  return [...new Set([...byGate, ...byCheck])];
}
