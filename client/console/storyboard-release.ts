import type { Catalogue, ModelEntry } from '../../schema/catalogue';
import type { Plan } from '../../schema/plan';
import type { Progress } from '../../schema/progress';
import { clipEstimateUsd, scoreEstimateUsd } from '../../workflows/rules/call-specs';
import { checkedScenes } from '../../workflows/rules/consistency-checks';

/** What releasing the storyboard pays for: the clips of the keyframes on it, and their paid checks. */
export interface StoryboardRelease {
  /** The scenes whose keyframes are on the storyboard, in the order they came. */
  sceneIds: string[];
  /**
   * The most their clips may cost, one each, priced as the workflow reserved them before their
   * keyframes started; null without the plan or the model's catalogue entry.
   */
  clipsUsd: number | null;
  /** The most the CLIP checks of those clips may cost, one try each; 0 when no paid scorer checks them. */
  scoresUsd: number;
}

/**
 * The clips a release animates and their estimate, by the same `clipEstimateUsd` the workflow
 * reserves (with the keyframe's part) before a keyframe is made, so the page and the ledger
 * agree; plus one paid score (`scoreEstimateUsd`) for each clip the plan's consistency check
 * scores with CLIP after animation.
 */
export function storyboardRelease(
  p: Progress,
  plan: Pick<Plan, 'scenes' | 'consistency'> & { gate: Pick<Plan['gate'], 'scorer'> },
  model: ModelEntry | undefined,
  scorers?: Catalogue['scorers']
): StoryboardRelease {
  const sceneIds = p.storyboard?.sceneIds ?? [];
  const scenes = plan.scenes.filter((s) => sceneIds.includes(s.id));
  const known = model && scenes.length === sceneIds.length;
  const clipsUsd = known ? scenes.reduce((sum, s) => sum + clipEstimateUsd(model, s), 0) : null;
  // the clip check scores with the gate's scorer; only CLIP is paid
  const paidScorer = plan.gate.scorer === 'clip' ? (scorers?.clip ?? null) : null;
  const checked = paidScorer ? checkedScenes(plan).filter((id) => sceneIds.includes(id)) : [];
  return { sceneIds, clipsUsd, scoresUsd: checked.length * scoreEstimateUsd(paidScorer) };
}
