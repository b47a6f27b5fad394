import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  patched,
  upsertMemo,
} from '@temporalio/workflow';
import { prepareGenerationResultSchema, type PrepareGenerationResult } from '../schema/activities';
import { FailureType } from '../schema/failures';
import type { PlanInput } from '../schema/plan';
import type { GenerationResult } from '../schema/progress';
import { generationActivities, type GenerationActivities } from './activity-options';
import { messageOf } from './failure-details';
import { registerHandlers } from './handlers';
import { workflowInstruments } from './metrics';
import { Notifier } from './notifier';
import { parsePlan } from './parse-plan';
import { ProgressPublisher } from './progress-publisher';
import { Generation } from './rules/generation';
import { runScene } from './run-scene';
import { SceneScopes } from './scene-scopes';

/**
 * A generation: prepares the references once, runs the first-scene consistency gate, releases
 * the other scenes under the plan's strategy within the budget, and assembles the video.
 */
export async function generateVideo(rawPlan: PlanInput): Promise<GenerationResult> {
  // each patch keeps runs started before it replaying as they ran (see the constants below)
  const oncePerActivation = patched(PUBLISH_ONCE_PER_ACTIVATION);
  const slotPerPrediction = patched(SLOT_PER_PREDICTION);
  const recordEveryChange = patched(RECORD_EVERY_CHANGE);
  const promptReads = patched(PROMPT_READS);
  const publisher = new ProgressPublisher();
  const { plan, generationId } = parsePlan(rawPlan, publisher);
  const tasks = new SceneScopes();
  const hooks = {
    now: Date.now,
    changed: () => {
      if (!oncePerActivation) publisher.publish(gen);
    },
    stopping: () => tasks.cancelAll(),
    inFlight: () => tasks.size,
    instruments: workflowInstruments(),
  };
  const gen: Generation = new Generation(plan, generationId, hooks, {
    slotPerPrediction,
    recordEveryChange,
    promptReads,
  });
  registerHandlers(gen);
  publisher.start(plan.scenes.length);
  // outside the run's cancellation: a cancelled run goes on publishing while it cancels its predictions
  if (oncePerActivation) void CancellationScope.nonCancellable(() => publisher.follow(gen));
  else publisher.publish(gen);
  const acts = generationActivities(plan);

  let notifier: Notifier | undefined;
  try {
    gen.prepare(await prepare(gen, acts));
    // a worker with a notification receiver says so in its preparation, so replays schedule the same
    if (gen.prepared?.notify) {
      notifier = new Notifier((n) => acts.notify.executeWithOptions({ summary: `notify: ${n.event}` }, [n]));
      void CancellationScope.nonCancellable(() => notifier!.follow(gen));
    }
    await runScenes(gen, acts, tasks);
    if (!gen.stop && gen.clips().length === 0) {
      gen.halt({ type: FailureType.SceneFailed, message: 'no scene produced a clip' });
    }
    if (!gen.stop) return await assemble(gen, acts, publisher, notifier);
  } catch (err) {
    throw await closeWithoutVideo(gen, tasks, publisher, notifier, err);
  }
  throw await closeWithoutVideo(gen, tasks, publisher, notifier, undefined);
}

/**
 * Progress is published once per activation, after all its changes: a burst of 200 scenes
 * ending together then derives the report once, not 200 times (before: on every change, in the
 * middle of the activation's commands).
 */
const PUBLISH_ONCE_PER_ACTIVATION = 'publish-once-per-activation';
/** A scene's slot is freed when its prediction ends, not when its clip is in (see `Generation`). */
const SLOT_PER_PREDICTION = 'slot-per-prediction';
/** Every change to a generation is recorded, so what waits on it (the progress published) sees it at once. */
const RECORD_EVERY_CHANGE = 'record-every-change';
/** A prediction without a webhook is read within seconds of its end (see `readSchedule`). */
const PROMPT_READS = 'prompt-reads';

/** Starts scenes as the strategy, the gate and the budget allow, until none is left to run. */
async function runScenes(gen: Generation, acts: GenerationActivities, tasks: SceneScopes): Promise<void> {
  for (;;) {
    if (tasks.failure) throw tasks.failure;
    if (gen.stop) break;
    gen.releaseAfterGate();
    for (const id of gen.attempts.startable()) {
      // a scene whose task waits for a slot for its next attempt takes it; the others start a task
      const resumed = tasks.has(id);
      gen.attempts.takeSlot(id, resumed);
      if (resumed) continue;
      tasks.start(
        id,
        () => runScene(gen.attempts, gen.verdicts, gen.drifts, acts, id),
        () => gen.attempts.sceneSettled(id)
      );
    }
    if (gen.settled) {
      if (gen.verdicts.judging) {
        gen.halt({ type: FailureType.GateFailed, message: 'the gate scenes ended without passing' });
      }
      break;
    }
    const seen = gen.version;
    await condition(() => gen.version !== seen);
  }
  await tasks.drained();
}

/** Joins the clips in plan order into the final video and ends the generation with it. */
async function assemble(
  gen: Generation,
  acts: GenerationActivities,
  publisher: ProgressPublisher,
  notifier: Notifier | undefined
): Promise<GenerationResult> {
  const clips = gen.clips();
  gen.startAssembly();
  const video = await acts.assembleVideo.executeWithOptions(
    { summary: `assemble ${clips.length} clips into the final video` },
    [{ generationId: gen.generationId, clips, references: gen.prepared!.references }]
  );
  const status = gen.finish();
  // the workflow ends in this activation: the final state is published now, not after it
  publisher.publish(gen);
  await notifier?.end(gen, null);
  await condition(allHandlersFinished);
  const progress = gen.progress();
  return {
    generationId: gen.generationId,
    status,
    videoPath: video.videoPath,
    contactSheetPath: video.contactSheetPath,
    durationSec: video.durationSec,
    costUsd: progress.budget.spentUsd,
    limitUsd: progress.budget.limitUsd,
    scenes: progress.scenes,
    failedScenes: progress.scenes.filter((s) => s.status === 'failed').map((s) => s.id),
    skippedScenes: progress.scenes.filter((s) => s.status === 'skipped').map((s) => s.id),
    driftedScenes: progress.consistency?.driftedScenes ?? [],
  };
}

/**
 * Ends a generation that made no video: every prediction in flight is confirmed cancelled, the
 * final state goes into the memo, and the error to end with is returned (the stop reason as a
 * typed failure carrying the final state, or the cancellation or error that got here).
 */
async function closeWithoutVideo(
  gen: Generation,
  tasks: SceneScopes,
  publisher: ProgressPublisher,
  notifier: Notifier | undefined,
  err: unknown
): Promise<unknown> {
  const cancelled = err !== undefined && isCancellation(err) && !gen.stop;
  await CancellationScope.nonCancellable(async () => {
    tasks.cancelAll();
    await tasks.drained();
  });
  const status = cancelled ? 'cancelled' : 'failed';
  const reason = cancelled ? 'cancelled' : (gen.stop?.message ?? messageOf(err));
  gen.end(status);
  publisher.publish(gen);
  const finalState = gen.finalState(status, reason);
  upsertMemo({ finalState });
  await notifier?.end(gen, reason);
  if (!gen.stop || cancelled) return err;
  return ApplicationFailure.create({
    type: gen.stop.type,
    message: gen.stop.message,
    nonRetryable: true,
    details: [finalState],
  });
}

/** Checks and uploads the references once, and prices the model, before anything is paid for. */
async function prepare(gen: Generation, acts: GenerationActivities): Promise<PrepareGenerationResult> {
  const { plan } = gen;
  try {
    // parsed, not taken as recorded: a result recorded before a field was added gets its default
    const prepared = await acts.prepareGeneration.executeWithOptions(
      {
        summary: `prepare ${plan.consistencyGroups.length} consistency group(s) for ${plan.model ?? 'the default model'}`,
      },
      [
        {
          generationId: gen.generationId,
          ...(plan.model ? { model: plan.model } : {}),
          groups: plan.consistencyGroups.map((g) => ({ id: g.id, kind: g.kind, referenceImages: g.referenceImages })),
          scenes: plan.scenes.map((s) => ({ entities: s.entities, durationSec: s.durationSec })),
          aspectRatio: plan.aspectRatio,
          ...(plan.gate.scorer ? { scorer: plan.gate.scorer } : {}),
          // the consistency check and the keyframe check score with the gate's scorer: it is resolved (and refused where it cannot work) for them too
          gateEnabled: plan.gate.enabled || plan.consistency !== undefined || plan.pipeline === 'keyframe',
          // a direct run's input stays as it was before keyframes: runs begun then replay unchanged
          ...(plan.pipeline === 'keyframe'
            ? { pipeline: plan.pipeline, ...(plan.keyframe?.model ? { keyframeModel: plan.keyframe.model } : {}) }
            : {}),
        },
      ]
    );
    return prepareGenerationResultSchema.parse(prepared);
  } catch (err) {
    // a bad reference or model is the plan's fault, and a host still unreachable after every try
    // fails the same way: with the cause's message, which names the field, not "activity failed"
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({
        type: err.cause.type ?? FailureType.InvalidPlan,
        message: err.cause.message,
        nonRetryable: true,
      });
    }
    throw err;
  }
}
