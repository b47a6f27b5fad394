import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { FailureType } from '../schema/failures';
import { describeIssues } from '../schema/issues';
import {
  abortSchema,
  approveGateSchema,
  raiseBudgetSchema,
  rejectGateSchema,
  retrySceneSchema,
  setBudgetSchema,
  skipSceneSchema,
  type UpdateOutcome,
} from '../schema/messages';
import { durationMs, planSchema, type Plan, type PlanInput } from '../schema/plan';
import type { GenerationResult, GenerationStatus } from '../schema/progress';
import {
  generationCostUsdKey,
  generationScenesDoneKey,
  generationScenesTotalKey,
  generationStatusKey,
} from '../schema/search-attributes';
import { generationActivities } from './activity-options';
import { GenerationRun } from './generation-run';
import {
  abortUpdate,
  approveGateUpdate,
  progressQuery,
  raiseBudgetSignal,
  rejectGateUpdate,
  retrySceneUpdate,
  setBudgetSignal,
  skipSceneUpdate,
} from './messages';
import { SceneScheduler } from './scheduler';
import { runSceneTask, type SceneTaskHost } from './scene-task';
import { describeState } from './status';

function parsePlan(raw: PlanInput): { plan: Plan; generationId: string } {
  const { workflowId } = workflowInfo();
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidPlan,
      nonRetryable: true,
      message: describeIssues(parsed.error),
    });
  }
  const plan = parsed.data;
  if (plan.generationId !== undefined && plan.generationId !== workflowId) {
    // `temporal workflow start` without --workflow-id picks a random id; Temporal identifies the run by it, so it wins
    log.warn("the plan's generationId differs from the workflow id; the workflow id names this generation", {
      planGenerationId: plan.generationId,
      workflowId,
    });
  }
  return { plan, generationId: workflowId };
}

/** What a validator throws: the caller sees the reason, and nothing reaches history. */
function refused(reason: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.UpdateRefused, message: reason, nonRetryable: true });
}

/** Parses an operator's payload inside a validator; a bad one is refused before it reaches history. */
function validated<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: Parameters<typeof describeIssues>[0] };
  },
  value: unknown
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw refused(describeIssues(parsed.error));
  return parsed.data;
}

/**
 * A generation: prepares the references once, runs the first-scene consistency gate, releases
 * the remaining scenes under the plan's strategy within the budget, and assembles the video.
 */
export async function generateVideo(rawPlan: PlanInput): Promise<GenerationResult> {
  const { plan, generationId } = parsePlan(rawPlan);
  const run = new GenerationRun(plan, generationId, Date.now());
  const acts = generationActivities(plan);
  const scheduler = new SceneScheduler(plan.strategy);
  const tasks = new Map<string, { scope: CancellationScope; promise: Promise<void> }>();
  let budgetDeadline: number | null = null;
  let lastAttributes = '';

  const sync = (): void => {
    const { status, waitingFor, details } = describeState(run, tasks.size);
    if (!run.finished) run.status = status;
    run.waitingFor = run.finished ? null : waitingFor;
    const progress = run.progress();
    const attributes = [run.status, progress.totals.done, progress.budget.spentUsd].join('|');
    if (attributes !== lastAttributes) {
      lastAttributes = attributes;
      upsertSearchAttributes([
        { key: generationStatusKey, value: run.status },
        { key: generationScenesDoneKey, value: progress.totals.done },
        { key: generationCostUsdKey, value: progress.budget.spentUsd },
      ]);
    }
    setCurrentDetails(details);
  };
  const changed = (): void => {
    run.touch(Date.now());
    sync();
  };
  const cancelAll = (): void => {
    for (const task of tasks.values()) task.scope.cancel();
  };
  const halt = (type: string, message: string): void => {
    if (run.stop) return;
    run.stop = { type, message, status: 'failed' };
    log.warn('generation stopping', { type, message });
    cancelAll();
    changed();
  };

  const host: SceneTaskHost = {
    run,
    acts,
    changed,
    halt,
    async acquire(sceneId, key, kind, estimate) {
      if (run.ledger.canReserve(estimate)) {
        run.ledger.reserve(key, sceneId, kind, estimate);
        return true;
      }
      if (plan.budget.onExceeded === 'fail') {
        halt(FailureType.BudgetExceeded, budgetMessage(run, sceneId, estimate));
        return false;
      }
      run.budgetBlocked.add(sceneId);
      budgetDeadline ??= Date.now() + durationMs(plan.budget.waitTimeout);
      changed();
      const fits = await condition(
        () => run.ledger.canReserve(estimate) || run.stop !== null || Date.now() >= (budgetDeadline ?? 0),
        Math.max(0, (budgetDeadline ?? Date.now()) - Date.now())
      );
      run.budgetBlocked.delete(sceneId);
      if (run.budgetBlocked.size === 0) budgetDeadline = null;
      if (run.stop) return false;
      if (!fits || !run.ledger.canReserve(estimate)) {
        halt(
          FailureType.BudgetExceeded,
          `${budgetMessage(run, sceneId, estimate)}; no more budget came within ${String(plan.budget.waitTimeout)}`
        );
        return false;
      }
      run.ledger.reserve(key, sceneId, kind, estimate);
      changed();
      return true;
    },
    async awaitGateDecision(sceneId) {
      run.gateWaiting.add(sceneId);
      run.gateStatus = 'awaiting_approval';
      changed();
      const answered = await condition(
        () => run.gateAnswers.has(sceneId) || run.stop !== null,
        durationMs(plan.gate.approvalTimeout)
      );
      run.gateWaiting.delete(sceneId);
      const answer = run.gateAnswers.get(sceneId) ?? null;
      run.gateAnswers.delete(sceneId);
      if (run.gateStatus === 'awaiting_approval' && run.gateWaiting.size === 0) run.gateStatus = 'running';
      if (!answered && !run.stop) {
        halt(
          FailureType.GateFailed,
          `nobody approved or rejected the gate within ${String(plan.gate.approvalTimeout)}`
        );
      }
      changed();
      return run.stop ? null : answer;
    },
  };

  setHandler(progressQuery, () => run.progress(), {
    description: 'Per-scene status, attempts, cost and score; totals and ETA.',
  });
  setHandler(
    raiseBudgetSignal,
    (payload) => {
      const parsed = raiseBudgetSchema.safeParse(payload);
      if (!parsed.success) return log.warn('raiseBudget ignored', { problem: describeIssues(parsed.error) });
      run.ledger.raise(parsed.data.amountUsd);
      changed();
    },
    { description: 'Adds {amountUsd} to the budget limit.' }
  );
  setHandler(
    setBudgetSignal,
    (payload) => {
      const parsed = setBudgetSchema.safeParse(payload);
      if (!parsed.success) return log.warn('setBudget ignored', { problem: describeIssues(parsed.error) });
      run.ledger.setLimit(parsed.data.limitUsd);
      changed();
    },
    { description: 'Sets the budget limit to {limitUsd}.' }
  );
  const decideGate = (approved: boolean, text: string): UpdateOutcome => {
    const scenes = [...run.gateWaiting];
    for (const id of scenes) run.gateAnswers.set(id, { approved, text });
    changed();
    return {
      accepted: true,
      message: `gate ${approved ? 'approved' : 'rejected'} for scene${scenes.length > 1 ? 's' : ''} ${scenes.join(', ')}`,
    };
  };
  setHandler(
    approveGateUpdate,
    (payload) => decideGate(true, validated(approveGateSchema, payload).note ?? 'approved'),
    {
      validator: (payload) => {
        validated(approveGateSchema, payload);
        const refusal = run.refuseGateDecision();
        if (refusal) throw refused(refusal);
      },
      description: 'Approves the gate scene(s) waiting for a person. {note?}',
    }
  );
  setHandler(rejectGateUpdate, (payload) => decideGate(false, validated(rejectGateSchema, payload).reason), {
    validator: (payload) => {
      validated(rejectGateSchema, payload);
      const refusal = run.refuseGateDecision();
      if (refusal) throw refused(refusal);
    },
    description: 'Rejects the gate scene(s) waiting for a person. {reason}',
  });
  setHandler(
    retrySceneUpdate,
    (payload) => {
      const { sceneId, overrides } = validated(retrySceneSchema, payload);
      const scene = run.scene(sceneId);
      const changes = run.applyOverrides(sceneId, overrides);
      scene.allowance = scene.attempts + plan.retry.maxAttemptsPerScene;
      scene.status = 'pending';
      scheduler.mark(sceneId, 'waiting');
      changed();
      return {
        accepted: true,
        message: `scene ${sceneId} queued for up to ${plan.retry.maxAttemptsPerScene} more attempts${changes.length ? ` with ${changes.join(', ')}` : ''}`,
      };
    },
    {
      validator: (payload) => {
        const refusal = run.refuseRetry(validated(retrySceneSchema, payload).sceneId);
        if (refusal) throw refused(refusal);
      },
      description: 'Gives a failed scene new attempts. {sceneId, overrides?: {prompt, negativePrompt, strength, seed}}',
    }
  );
  setHandler(
    skipSceneUpdate,
    (payload) => {
      const { sceneId } = validated(skipSceneSchema, payload);
      run.scene(sceneId).status = 'skipped';
      changed();
      return { accepted: true, message: `scene ${sceneId} skipped; the video will be made without it` };
    },
    {
      validator: (payload) => {
        const refusal = run.refuseSkip(validated(skipSceneSchema, payload).sceneId);
        if (refusal) throw refused(refusal);
      },
      description: 'Leaves a failed scene out of the video. {sceneId}',
    }
  );
  setHandler(
    abortUpdate,
    (payload) => {
      const { reason } = validated(abortSchema, payload);
      const inFlight = tasks.size;
      halt(FailureType.Aborted, `aborted by an operator: ${reason}`);
      return {
        accepted: true,
        message: `aborting; ${inFlight} scene${inFlight === 1 ? '' : 's'} in flight being cancelled`,
      };
    },
    {
      validator: (payload) => {
        validated(abortSchema, payload);
        if (run.finished || run.status === 'assembling') throw refused(`the generation is ${run.status}`);
        if (run.stop) throw refused(`the generation is already stopping (${run.stop.message})`);
      },
      description: 'Stops the generation and cancels its predictions. {reason}',
    }
  );

  upsertSearchAttributes([
    { key: generationStatusKey, value: 'preparing' },
    { key: generationScenesTotalKey, value: plan.scenes.length },
    { key: generationScenesDoneKey, value: 0 },
    { key: generationCostUsdKey, value: 0 },
  ]);
  sync();

  const start = (id: string): void => {
    scheduler.mark(id, 'running');
    const scope = new CancellationScope();
    const promise = scope
      .run(() => runSceneTask(host, id))
      .finally(() => {
        tasks.delete(id);
        scheduler.mark(id, 'settled');
        changed();
      });
    // a rejected task is a cancelled one; the driver awaits them all before it finishes
    promise.catch(() => undefined);
    tasks.set(id, { scope, promise });
  };
  const drained = async (): Promise<void> => {
    await Promise.allSettled([...tasks.values()].map((t) => t.promise));
  };

  try {
    const prepared = await acts.prepareGeneration
      .executeWithOptions(
        { summary: `prepare ${plan.consistencyGroups.length} consistency group(s) for ${plan.model}` },
        [
          {
            generationId,
            model: plan.model,
            groups: plan.consistencyGroups.map((g) => ({ id: g.id, referenceImages: g.referenceImages })),
            scorer: plan.gate.scorer,
          },
        ]
      )
      .catch((err: unknown) => {
        // a bad reference or model is the plan's fault: fail with the field named, not "activity failed"
        if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) {
          throw ApplicationFailure.create({
            type: err.cause.type ?? FailureType.InvalidPlan,
            message: err.cause.message,
            nonRetryable: true,
          });
        }
        throw err;
      });
    run.setPrepared(prepared);

    const rest = run.order.filter((id) => !run.gateSceneIds.includes(id));
    let gateOpen = run.gateSceneIds.length > 0;
    if (gateOpen) run.gateStatus = 'running';
    scheduler.release(gateOpen ? run.gateSceneIds : run.order);
    changed();

    for (;;) {
      if (run.stop) break;
      if (gateOpen && run.gateSceneIds.every((id) => run.scene(id).status === 'succeeded')) {
        gateOpen = false;
        run.gateStatus = run.gateApprovedAny ? 'approved' : 'passed';
        scheduler.release(rest);
        changed();
      }
      for (const id of scheduler.startable()) start(id);
      const awaitingOps = run.order.some((id) => run.scene(id).status === 'awaiting_ops');
      if (scheduler.idle && !awaitingOps) {
        if (gateOpen) halt(FailureType.GateFailed, 'the gate scenes ended without passing');
        break;
      }
      const seen = run.version;
      await condition(() => run.version !== seen);
    }
    await drained();
    if (run.stop) throw stopFailure(run);

    const clips = run.order.flatMap((id) => {
      const clip = run.scene(id).clip;
      return run.scene(id).status === 'succeeded' && clip ? [{ sceneId: id, path: clip.path }] : [];
    });
    if (clips.length === 0) {
      run.stop = { type: FailureType.SceneFailed, message: 'no scene produced a clip', status: 'failed' };
      throw stopFailure(run);
    }
    run.status = 'assembling';
    changed();
    const video = await acts.assembleVideo.executeWithOptions(
      { summary: `assemble ${clips.length} clips into the final video` },
      [{ generationId, clips, references: run.references }]
    );
    const progress = run.progress();
    const failedScenes = progress.scenes.filter((s) => s.status === 'failed').map((s) => s.id);
    const skippedScenes = progress.scenes.filter((s) => s.status === 'skipped').map((s) => s.id);
    run.status = failedScenes.length || skippedScenes.length ? 'partial' : 'succeeded';
    changed();
    await condition(allHandlersFinished);
    return {
      generationId,
      status: run.status === 'partial' ? 'partial' : 'succeeded',
      videoPath: video.videoPath,
      contactSheetPath: video.contactSheetPath,
      durationSec: video.durationSec,
      costUsd: progress.budget.spentUsd,
      limitUsd: progress.budget.limitUsd,
      scenes: run.progress().scenes,
      failedScenes,
      skippedScenes,
    };
  } catch (err) {
    const cancelled = isCancellation(err) && !run.stop;
    await CancellationScope.nonCancellable(async () => {
      // every prediction in flight is confirmed cancelled before the run closes
      cancelAll();
      await drained();
    });
    const status: GenerationStatus = cancelled ? 'cancelled' : 'failed';
    const reason = cancelled ? 'cancelled' : (run.stop?.message ?? (err as Error).message);
    run.status = status;
    changed();
    upsertMemo({ finalState: run.finalState(status, reason) });
    throw err;
  }
}

function stopFailure(run: GenerationRun): ApplicationFailure {
  const stop = run.stop!;
  return ApplicationFailure.create({
    type: stop.type,
    message: stop.message,
    nonRetryable: true,
    details: [run.finalState('failed', stop.message)],
  });
}

function budgetMessage(run: GenerationRun, sceneId: string, estimate: number): string {
  const { ledger } = run;
  return `the next attempt of scene ${sceneId} needs ${estimate.toFixed(4)} USD but only ${Math.max(0, ledger.availableUsd).toFixed(4)} USD of the ${ledger.limitUsd} USD budget is left (${ledger.spentUsd.toFixed(4)} spent, ${ledger.reservedUsd.toFixed(4)} reserved)`;
}
