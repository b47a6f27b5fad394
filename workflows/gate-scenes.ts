import type { Plan } from '../schema/plan';

/**
 * Which scenes the consistency gate checks before the rest are released: scene 1, then the
 * first scene of every consistency group scene 1 does not show. Every character and product
 * is thus checked against its references once before money goes on the scenes that reuse it.
 */
export function gateScenes(plan: Pick<Plan, 'scenes' | 'gate'>): string[] {
  if (!plan.gate.enabled) return [];
  const covered = new Set<string>();
  const gated: string[] = [];
  plan.scenes.forEach((scene, i) => {
    const fresh = scene.entities.some((e) => !covered.has(e));
    if (i === 0 || fresh) {
      gated.push(scene.id);
      for (const e of scene.entities) covered.add(e);
    }
  });
  return gated;
}
