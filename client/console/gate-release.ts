import type { Catalogue, ModelEntry } from '../../schema/catalogue';
import type { Plan } from '../../schema/plan';
import type { Progress } from '../../schema/progress';
import { clipEstimateUsd, scoreEstimateUsd } from '../../workflows/rules/call-specs';

/** What approving the gate lets go: the scenes held back by it, and what their first attempts may cost. */
export interface GateRelease {
  sceneIds: string[];
  /** The most their first attempts may cost, priced as the workflow reserves them; null when the model is not in the catalogue. */
  estimateUsd: number | null;
  /** Gate scenes still to pass after this decision: the scenes wait for them too. */
  otherGateScenes: string[];
  /** What the budget has left for them (limit − spent − reserved). */
  roomUsd: number;
}

/**
 * The scenes an approval releases (those not in the gate that have not started) and their
 * estimate: one attempt each, by the same `clipEstimateUsd` the workflow reserves before a scene
 * starts, plus one paid score (`scoreEstimateUsd`) for each the consistency check scores with
 * CLIP, so the page and the ledger agree.
 */
export function gateRelease(
  p: Progress,
  plan: Pick<Plan, 'scenes'> & { gate: Pick<Plan['gate'], 'scorer'> },
  model: ModelEntry | undefined,
  scorers?: Catalogue['scorers']
): GateRelease {
  const gated = new Set(p.gate.sceneIds);
  const asked = new Set(p.waitingOn.filter((w) => w.kind === 'approval').flatMap((w) => w.sceneIds));
  const sceneIds = p.scenes.filter((s) => !gated.has(s.id) && s.status === 'pending').map((s) => s.id);
  const scenes = plan.scenes.filter((s) => sceneIds.includes(s.id));
  // the check after the gate scores with the gate's scorer; only CLIP is paid
  const paidScorer = plan.gate.scorer === 'clip' ? (scorers?.clip ?? null) : null;
  const scored = new Set(paidScorer ? (p.consistency?.sceneIds ?? []) : []);
  const estimateUsd = model
    ? scenes.reduce(
        (sum, s) => sum + clipEstimateUsd(model, s) + (scored.has(s.id) ? scoreEstimateUsd(paidScorer) : 0),
        0
      )
    : null;
  const otherGateScenes = p.scenes
    .filter((s) => gated.has(s.id) && !asked.has(s.id) && s.status !== 'succeeded' && s.status !== 'skipped')
    .map((s) => s.id);
  const { limitUsd, spentUsd, reservedUsd } = p.budget;
  return { sceneIds, estimateUsd, otherGateScenes, roomUsd: Math.max(0, limitUsd - spentUsd - reservedUsd) };
}
