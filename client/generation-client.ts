import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { z } from 'zod';
import { describeIssues } from '../schema/issues';
import {
  raiseBudgetSchema,
  setBudgetSchema,
  updateOutcomeSchema,
  type ApproveGate,
  type ApproveScene,
  type ReleaseStoryboard,
  type RetryScene,
  type UpdateOutcome,
} from '../schema/messages';
import type { Plan, PlanInput } from '../schema/plan';
import {
  finishedStatuses,
  generationResultSchema,
  generationStatusSchema,
  progressSchema,
  type GenerationResult,
  type Progress,
} from '../schema/progress';
import {
  generationCostUsdKey,
  generationScenesDoneKey,
  generationScenesTotalKey,
  generationStatusKey,
} from '../schema/search-attributes';
import type { generateVideo } from '../workflows/generate-video';
import {
  abortUpdate,
  approveGateUpdate,
  approveSceneUpdate,
  GENERATE_VIDEO_WORKFLOW,
  progressQuery,
  raiseBudgetSignal,
  redoKeyframeUpdate,
  rejectGateUpdate,
  rejectSceneUpdate,
  releaseStoryboardUpdate,
  retrySceneUpdate,
  setBudgetSignal,
  skipSceneUpdate,
} from '../workflows/messages';
import { asClosed, listedStatus } from './closed-run';
import { validatePlan } from './load-plan';
import { ExitCode, UserFacingError } from '../common/run-main';
import { loadSettings } from '../common/settings';

/** The generation refused an operator's update; the message says why (from its validator). */
export class UpdateRefusedError extends UserFacingError {
  constructor(message: string) {
    super(message, ExitCode.invalidInput);
  }
}

/** An operator action reached a generation that has already ended; nothing was sent or changed. */
export class GenerationEndedError extends UserFacingError {
  constructor(
    readonly generationId: string,
    /** How it ended, as `list` shows it (`succeeded`, `terminated`, ...). */
    readonly status: string,
    nothingTo: string
  ) {
    super(`generation ${generationId} already ended (${status}); ${nothingTo}`, ExitCode.alreadyEnded);
  }
}

/**
 * A budget change the workflow would ignore (a signal cannot be refused), checked first with
 * the schema the workflow uses; the message names the field, e.g. `amountUsd: must be at most …`.
 */
export function checkBudgetChange(change: { amountUsd: number } | { limitUsd: number }): void {
  const parsed = 'amountUsd' in change ? raiseBudgetSchema.safeParse(change) : setBudgetSchema.safeParse(change);
  if (!parsed.success) throw new UserFacingError(describeIssues(parsed.error), ExitCode.invalidInput);
}

/**
 * What a worker answered, checked: a worker of another scenegate version may answer in a shape
 * this client does not know, and that deserves a sentence, not a stack trace.
 */
function fromWorker<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new UserFacingError(
    `the worker's ${what} does not match this scenegate client (are they different versions?): ${describeIssues(parsed.error)}`,
    ExitCode.failure
  );
}

async function answered(update: Promise<UpdateOutcome>): Promise<UpdateOutcome> {
  try {
    return fromWorker(updateOutcomeSchema, await update, 'answer');
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw new UpdateRefusedError((err.cause as Error | undefined)?.message ?? err.message);
    throw err;
  }
}

/** A generation's handle: one typed method per query, signal and update. */
export class GenerationHandle {
  constructor(readonly workflow: WorkflowHandle<typeof generateVideo>) {}

  get id(): string {
    return this.workflow.workflowId;
  }
  /**
   * The `progress` query. A run that ended without its code recording it (terminated, timed
   * out) is reported as it really ended; see `asClosed`.
   */
  async progress(): Promise<Progress> {
    const progress = fromWorker(progressSchema, await this.workflow.query(progressQuery), 'progress');
    if (finishedStatuses.includes(progress.status)) return progress;
    const { status } = await this.workflow.describe();
    return asClosed(progress, status.name);
  }
  /**
   * @throws UserFacingError naming `amountUsd` when the workflow would ignore the raise.
   * @throws GenerationEndedError when the generation has ended.
   */
  async raiseBudget(amountUsd: number): Promise<void> {
    checkBudgetChange({ amountUsd });
    await this.unlessEnded('its budget can no longer change', () =>
      this.workflow.signal(raiseBudgetSignal, { amountUsd })
    );
  }
  /**
   * @throws UserFacingError naming `limitUsd` when the workflow would ignore the limit.
   * @throws GenerationEndedError when the generation has ended.
   */
  async setBudget(limitUsd: number): Promise<void> {
    checkBudgetChange({ limitUsd });
    await this.unlessEnded('its budget can no longer change', () =>
      this.workflow.signal(setBudgetSignal, { limitUsd })
    );
  }
  /** The update answers of the methods below; each throws GenerationEndedError when the generation has ended. */
  approveGate(note?: string): Promise<UpdateOutcome> {
    const args: ApproveGate = note === undefined ? {} : { note };
    return this.unlessEnded('nothing to approve', () =>
      answered(this.workflow.executeUpdate(approveGateUpdate, { args: [args] }))
    );
  }
  rejectGate(reason: string): Promise<UpdateOutcome> {
    return this.unlessEnded('nothing to reject', () =>
      answered(this.workflow.executeUpdate(rejectGateUpdate, { args: [{ reason }] }))
    );
  }
  /** Keeps the clip of a scene that drifted from its references and waits for a person. */
  approveScene(sceneId: string, note?: string): Promise<UpdateOutcome> {
    const args: ApproveScene = note === undefined ? { sceneId } : { sceneId, note };
    return this.unlessEnded('nothing to approve', () =>
      answered(this.workflow.executeUpdate(approveSceneUpdate, { args: [args] }))
    );
  }
  /** Has a scene that drifted from its references made again (while its checked attempts last). */
  rejectScene(sceneId: string, reason: string): Promise<UpdateOutcome> {
    return this.unlessEnded('nothing to reject', () =>
      answered(this.workflow.executeUpdate(rejectSceneUpdate, { args: [{ sceneId, reason }] }))
    );
  }
  /** Animates every keyframe on the storyboard (`keyframe.storyboard: approve`). */
  releaseStoryboard(note?: string): Promise<UpdateOutcome> {
    const args: ReleaseStoryboard = note === undefined ? {} : { note };
    return this.unlessEnded('nothing to release', () =>
      answered(this.workflow.executeUpdate(releaseStoryboardUpdate, { args: [args] }))
    );
  }
  /** Has one keyframe on the storyboard made again, one step stronger, before the release. */
  redoKeyframe(sceneId: string, reason: string): Promise<UpdateOutcome> {
    return this.unlessEnded('nothing to redo', () =>
      answered(this.workflow.executeUpdate(redoKeyframeUpdate, { args: [{ sceneId, reason }] }))
    );
  }
  retryScene(sceneId: string, overrides?: RetryScene['overrides']): Promise<UpdateOutcome> {
    return this.unlessEnded('nothing to retry', () =>
      answered(
        this.workflow.executeUpdate(retrySceneUpdate, { args: [{ sceneId, ...(overrides ? { overrides } : {}) }] })
      )
    );
  }
  skipScene(sceneId: string): Promise<UpdateOutcome> {
    return this.unlessEnded('nothing to skip', () =>
      answered(this.workflow.executeUpdate(skipSceneUpdate, { args: [{ sceneId }] }))
    );
  }
  abort(reason: string): Promise<UpdateOutcome> {
    return this.unlessEnded('nothing to abort', () =>
      answered(this.workflow.executeUpdate(abortUpdate, { args: [{ reason }] }))
    );
  }
  /**
   * Cancels the generation; every prediction in flight is cancelled before it closes.
   * @throws GenerationEndedError when it has ended (Temporal would accept the request and do nothing).
   */
  async cancel(): Promise<void> {
    const ended = await this.endedStatus();
    if (ended) throw new GenerationEndedError(this.id, ended, 'nothing to cancel');
    await this.workflow.cancel();
  }
  /** How the generation ended, as `list` shows it, or undefined while it runs. */
  async endedStatus(): Promise<string | undefined> {
    const { status, typedSearchAttributes } = await this.workflow.describe();
    if (status.name === 'RUNNING') return undefined;
    return listedStatus(typedSearchAttributes.get(generationStatusKey), status.name);
  }
  private async unlessEnded<T>(nothingTo: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (err) {
      // Temporal answers a signal or update to a closed workflow with NotFound "workflow execution already completed"
      const ended = err instanceof WorkflowNotFoundError ? await this.endedStatus() : undefined;
      if (ended) throw new GenerationEndedError(this.id, ended, nothingTo);
      throw err;
    }
  }
  async result(): Promise<GenerationResult> {
    return fromWorker(generationResultSchema, await this.workflow.result(), 'result');
  }
}

/** One row of `GenerationClient.list`. */
export interface GenerationListing {
  id: string;
  status: string;
  executionStatus: string;
  done: number;
  total: number;
  costUsd: number;
  startTime: Date;
}

export interface StartGenerationOptions {
  taskQueue?: string;
  /** Folder relative reference paths are resolved against (a plan file's folder). */
  baseDir?: string;
}

/**
 * scenegate's programmatic API over a Temporal client.
 *
 * ```ts
 * const generations = new GenerationClient(await connectClient());
 * const handle = await generations.start(plan);
 * console.log((await handle.progress()).totals);
 * const result = await handle.result();
 * ```
 */
export class GenerationClient {
  constructor(
    readonly client: Client,
    readonly taskQueue = loadSettings().SCENEGATE_TASK_QUEUE
  ) {}

  /**
   * Validates a plan and starts its generation. Idempotent: the workflow id is the plan's
   * `generationId`, and starting an id that is already running returns the running one.
   * A failed or cancelled generation may be started again under its id; a finished one not.
   */
  async start(input: PlanInput | Plan, options: StartGenerationOptions = {}): Promise<GenerationHandle> {
    const plan = validatePlan(input, { baseDir: options.baseDir });
    try {
      const workflow = await this.client.workflow.start<typeof generateVideo>(GENERATE_VIDEO_WORKFLOW, {
        workflowId: plan.generationId,
        taskQueue: options.taskQueue ?? this.taskQueue,
        args: [plan],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        typedSearchAttributes: [
          { key: generationStatusKey, value: 'preparing' },
          { key: generationScenesTotalKey, value: plan.scenes.length },
          { key: generationScenesDoneKey, value: 0 },
          { key: generationCostUsdKey, value: 0 },
        ],
        staticSummary: summaryOf(plan),
        staticDetails: detailsOf(plan),
      });
      return new GenerationHandle(workflow);
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new UserFacingError(
          `generation ${plan.generationId} already completed; give the plan another generationId (or --id) to run it again`,
          ExitCode.invalidInput
        );
      }
      throw err;
    }
  }

  /** A handle to an existing generation. @throws UserFacingError (not found) when there is none. */
  async get(id: string): Promise<GenerationHandle> {
    const workflow = this.client.workflow.getHandle<typeof generateVideo>(id);
    try {
      const description = await workflow.describe();
      if (description.type !== GENERATE_VIDEO_WORKFLOW) {
        throw new UserFacingError(`${id} is a ${description.type} workflow, not a generation`, ExitCode.notFound);
      }
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        throw new UserFacingError(`no generation with id ${id}`, ExitCode.notFound);
      throw err;
    }
    return new GenerationHandle(workflow);
  }

  /**
   * Generations, newest first, optionally only those in one status (a visibility query). A
   * status a run can still leave only matches running executions: a terminated run keeps the
   * search attributes it last wrote, and lists as `terminated`.
   * @throws UserFacingError (invalid input) for a status that does not exist.
   */
  async list(options: { status?: string; limit?: number } = {}): Promise<GenerationListing[]> {
    const rows: GenerationListing[] = [];
    for await (const execution of this.client.workflow.list({ query: listQuery(options.status), pageSize: 100 })) {
      const attributes = execution.typedSearchAttributes;
      rows.push({
        id: execution.workflowId,
        status: listedStatus(attributes.get(generationStatusKey), execution.status.name),
        executionStatus: execution.status.name,
        done: attributes.get(generationScenesDoneKey) ?? 0,
        total: attributes.get(generationScenesTotalKey) ?? 0,
        costUsd: attributes.get(generationCostUsdKey) ?? 0,
        startTime: execution.startTime,
      });
      if (rows.length >= (options.limit ?? 50)) break;
    }
    return rows;
  }
}

/** The visibility query for generations in one status (or all of them). */
export function listQuery(status?: string): string {
  const clauses = [`WorkflowType = '${GENERATE_VIDEO_WORKFLOW}'`];
  if (status === undefined) return clauses[0]!;
  const parsed = generationStatusSchema.safeParse(status);
  if (!parsed.success) {
    throw new UserFacingError(
      `--status must be one of ${generationStatusSchema.options.join(', ')}, got "${status}"`,
      ExitCode.invalidInput
    );
  }
  if (parsed.data === 'terminated') clauses.push(`ExecutionStatus = 'Terminated'`);
  else if (parsed.data === 'timed_out') clauses.push(`ExecutionStatus = 'TimedOut'`);
  else {
    clauses.push(`${generationStatusKey.name} = '${parsed.data}'`);
    if (!finishedStatuses.includes(parsed.data)) clauses.push(`ExecutionStatus = 'Running'`);
  }
  return clauses.join(' AND ');
}

/** `kling-v2.1`, or with keyframes first `ip-adapter-image for keyframes and kling-v2.1 for clips`. */
export function modelsText({ model, keyframeModel }: { model: string; keyframeModel?: string | undefined }): string {
  return keyframeModel ? `${keyframeModel} for keyframes and ${model} for clips` : model;
}

/**
 * A strategy as people read it: `pool ×3`, `batched ×2`; `sequential` and `parallel` run one or
 * every scene at once whatever `concurrency` says, so it is left out.
 */
export function strategyText({ mode, concurrency }: Pick<Plan['strategy'], 'concurrency'> & { mode: string }): string {
  return mode === 'sequential' || mode === 'parallel' ? mode : `${mode} ×${concurrency}`;
}

function summaryOf(plan: Plan): string {
  const scorer = plan.gate.scorer ?? 'vision';
  const gate = !plan.gate.enabled
    ? 'no gate'
    : scorer === 'manual'
      ? 'gate by a person'
      : `gate ${scorer} ≥ ${plan.gate.threshold}`;
  return `${plan.scenes.length} scenes on ${plan.model ?? 'the default model'} · ${strategyText(plan.strategy)} · ${gate} · budget ${plan.budget.limitUsd} USD`;
}

/**
 * The run's static details in the Web UI: three short lines, since it draws them in a frame
 * sized shorter than its content, and no `$` (its markdown reads `$…$` as a formula).
 */
function detailsOf(plan: Plan): string {
  const groups = plan.consistencyGroups.map(
    (g) =>
      `${g.id} (${g.kind}, strength ${g.strength}, ${g.referenceImages.length} image${g.referenceImages.length > 1 ? 's' : ''})`
  );
  const shown = plan.scenes.slice(0, 8).map((s) => `${s.id} ${s.durationSec}s`);
  const more = plan.scenes.length > shown.length ? ` · +${plan.scenes.length - shown.length} more` : '';
  return [
    `**Seed** ${plan.seed} · **on scene failure** ${plan.onSceneFailure} · **timeout per attempt** ${String(plan.timeouts.sceneAttempt)}`,
    `**Groups** ${groups.join(' · ')}`,
    `**Scenes** ${shown.join(' · ')}${more}`,
  ].join('  \n');
}
