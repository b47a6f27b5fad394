import type { Progress } from '../schema/progress';

/**
 * The groups a scorer found in none of the frames of a scene's attempt (by the gate, or by the
 * check after it): their score of 0 means the face or product was not there to compare, which a
 * reader would otherwise take for a poor likeness.
 */
export function unseenIn(p: Progress, sceneId: string, attempt: number): string[] {
  const of = (c: { sceneId: string; attempt: number }) => c.sceneId === sceneId && c.attempt === attempt;
  const byGate = p.gate.scores.findLast(of)?.unseen ?? [];
  const check = p.consistency?.checks.findLast(of);
  const byCheck = Object.entries(check?.frames ?? {})
    .filter(([, seen]) => seen.framesWithSubject === 0)
    .map(([groupId]) => groupId);
  return [...new Set([...byGate, ...byCheck])];
}
