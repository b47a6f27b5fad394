import { CancellationScope, isCancellation, log } from '@temporalio/workflow';
import type { SceneClipResult } from '../schema/activities';
import { FailureType } from '../schema/failures';
import type { GenerationActivities } from './activity-options';
import { cancelledCostOf, isPermanent, messageOf, predictionIdOf } from './failure-details';
import type { GenerationRun } from './generation-run';

/** What a scene task needs from the generation driving it. */
export interface SceneTaskHost {
  run: GenerationRun;
  acts: GenerationActivities;
  /** Reserves money for one paid call, waiting while the budget is short; false means stop. */
  acquire(sceneId: string, key: string, kind: 'scene' | 'score', estimateUsd: number): Promise<boolean>;
  /** Records a change and refreshes status, search attributes and current details. */
  changed(): void;
  /** Stops the generation and cancels every scene in flight. */
  halt(type: string, message: string): void;
  /** Waits for a person's gate decision on a scene; null when the wait ended without one. */
  awaitGateDecision(sceneId: string): Promise<{ approved: boolean; text: string } | null>;
}

const short = (text: string, max = 60): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * Runs one scene until it has a clip, or has used its attempts. Each attempt is one paid
 * prediction; model failures come back as values and are tried again, gate scenes are scored
 * and retried stronger. Rejects only when cancelled.
 */
export async function runSceneTask(host: SceneTaskHost, id: string): Promise<void> {
  const { run, acts } = host;
  const scene = run.scene(id);
  const { gate } = run.plan;
  for (;;) {
    if (run.stop) return;
    if (scene.attempts >= scene.allowance) return exhausted(host, id);
    const key = `${id}#${scene.attempts + 1}`;
    scene.status = 'pending';
    if (!(await host.acquire(id, key, 'scene', run.estimateFor(id)))) return;
    scene.attempts++;
    scene.status = 'running';
    host.changed();

    const request = run.requestFor(id);
    const began = Date.now();
    let result: SceneClipResult;
    try {
      result = await acts.generateSceneClip.executeWithOptions(
        {
          summary: short(
            `scene ${scene.index}/${run.order.length} ${id} (attempt ${scene.attempts}, strength ${request.strength}): ${scene.scene.prompt}`,
            120
          ),
        },
        [request]
      );
      run.ledger.settle(key, result.costUsd);
      scene.predictionIds.push(result.predictionId);
    } catch (err) {
      if (isCancellation(err)) {
        run.ledger.settle(key, cancelledCostOf(err) ?? run.estimateFor(id));
        scene.status = 'cancelled';
        host.changed();
        throw err;
      }
      await settleFailedActivity(host, id, key, err);
      continue;
    } finally {
      scene.attemptMs.push(Date.now() - began);
    }

    if (result.outcome !== 'succeeded' || !result.clip) {
      scene.lastError = result.error ?? `prediction ${result.outcome}`;
      log.warn('scene attempt failed', { sceneId: id, attempt: scene.attempts, error: scene.lastError });
      host.changed();
      continue;
    }
    scene.clip = { path: result.clip.path, durationSec: result.clip.durationSec };
    scene.lastError = null;

    if (scene.isGate && (run.gateStatus === 'running' || run.gateStatus === 'awaiting_approval')) {
      const verdict = await judgeGateAttempt(host, id);
      if (verdict === 'stop') return;
      if (verdict === 'miss') {
        run.recordGateMiss(id);
        if (scene.gateMisses >= gate.maxAttempts) {
          if (!(await gateExhausted(host, id))) return;
        } else {
          // a miss is not a model failure: it does not use up the scene's own attempts
          scene.allowance++;
          host.changed();
          continue;
        }
      }
    }
    scene.status = 'succeeded';
    host.changed();
    return;
  }
}

/** An activity failed for good: cancel its prediction if one exists, count what it cost. */
async function settleFailedActivity(host: SceneTaskHost, id: string, key: string, err: unknown): Promise<void> {
  const { run, acts } = host;
  const scene = run.scene(id);
  const predictionId = predictionIdOf(err);
  let cost = 0;
  if (predictionId) {
    scene.predictionIds.push(predictionId);
    cost = await CancellationScope.nonCancellable(() =>
      acts
        .cancelPrediction({ predictionId, model: run.plan.model, durationSec: scene.scene.durationSec })
        .then((r) => r.costUsd)
        .catch(() => run.estimateFor(id))
    );
  }
  run.ledger.settle(key, cost);
  scene.lastError = messageOf(err);
  // retrying a scene cannot fix a bad input, a refused token or an unknown model
  if (isPermanent(err)) scene.allowance = scene.attempts;
  log.warn('scene attempt activity failed', { sceneId: id, attempt: scene.attempts, error: scene.lastError });
  host.changed();
}

/** Scores a gate attempt (or asks a person, with the manual scorer). */
async function judgeGateAttempt(host: SceneTaskHost, id: string): Promise<'pass' | 'miss' | 'stop'> {
  const { run, acts } = host;
  const scene = run.scene(id);
  const { gate } = run.plan;
  if (gate.scorer === 'manual') {
    // the person is the scorer: a rejection counts as a miss and the scene is made again stronger
    scene.status = 'scoring';
    const decision = await host.awaitGateDecision(id);
    if (!decision) return 'stop';
    if (decision.approved) run.gateApprovedAny = true;
    else run.gateRejections.push(`attempt ${scene.attempts} at strength ${run.strengthOf(id)}: ${decision.text}`);
    return decision.approved ? 'pass' : 'miss';
  }
  const key = `${id}#${scene.attempts}/score`;
  if (!(await host.acquire(id, key, 'score', run.scorerEstimate()))) return 'stop';
  scene.status = 'scoring';
  host.changed();
  try {
    const result = await acts.scoreConsistency.executeWithOptions(
      { summary: short(`gate: score scene ${id} attempt ${scene.attempts} (${gate.scorer})`, 120) },
      [
        {
          generationId: run.generationId,
          sceneId: id,
          scorer: gate.scorer,
          clipPath: scene.clip!.path,
          references: run.referencesOf(id),
        },
      ]
    );
    run.ledger.settle(key, result.costUsd);
    scene.score = Math.round(result.score * 1000) / 1000;
    run.gateScores.push({ sceneId: id, attempt: scene.attempts, strength: run.strengthOf(id), score: scene.score });
    host.changed();
    return result.score >= gate.threshold ? 'pass' : 'miss';
  } catch (err) {
    run.ledger.settle(key, isCancellation(err) ? run.scorerEstimate() : 0);
    if (isCancellation(err)) throw err;
    host.halt(FailureType.GateFailed, `the gate could not score scene ${id}: ${messageOf(err)}`);
    return 'stop';
  }
}

/** The gate scene missed on every attempt: fail, or wait for a person, as the plan says. */
async function gateExhausted(host: SceneTaskHost, id: string): Promise<boolean> {
  const { run } = host;
  const { gate } = run.plan;
  if (gate.scorer === 'manual') {
    host.halt(
      FailureType.GateRejected,
      `a person rejected gate scene ${id} on all ${gate.maxAttempts} attempts (${run.gateRejections.join('; ')})`
    );
    return false;
  }
  const scores = run.gateScores.filter((s) => s.sceneId === id).map((s) => `${s.score} at strength ${s.strength}`);
  const summary = `scene ${id} stayed below the consistency threshold ${gate.threshold} after ${gate.maxAttempts} attempts (scores: ${scores.join(', ')})`;
  if (gate.onFail === 'fail') {
    host.halt(FailureType.GateFailed, summary);
    return false;
  }
  const decision = await host.awaitGateDecision(id);
  if (!decision) return false;
  if (!decision.approved) {
    host.halt(FailureType.GateRejected, `the gate was rejected: ${decision.text}; ${summary}`);
    return false;
  }
  run.gateApprovedAny = true;
  return true;
}

/** A scene used all its attempts: apply the plan's failure policy. */
function exhausted(host: SceneTaskHost, id: string): void {
  const { run } = host;
  const scene = run.scene(id);
  const why = `scene ${id} failed after ${scene.attempts} attempt${scene.attempts === 1 ? '' : 's'}: ${scene.lastError ?? 'unknown error'}`;
  switch (run.plan.onSceneFailure) {
    case 'await-ops':
      scene.status = 'awaiting_ops';
      break;
    case 'continue':
      scene.status = 'failed';
      // without its gate scene the references were never checked: nothing else may run
      if (scene.isGate) host.halt(FailureType.GateFailed, why);
      break;
    case 'fail-fast':
      scene.status = 'failed';
      host.halt(FailureType.SceneFailed, why);
      break;
  }
  host.changed();
}
