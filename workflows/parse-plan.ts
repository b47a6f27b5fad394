import { ApplicationFailure, log, patched, workflowInfo } from '@temporalio/workflow';
import { FailureType } from '../schema/failures';
import { describeIssues } from '../schema/issues';
import {
  generationIdSchema,
  hasEditorSchema,
  planSchema,
  withoutEditorSchema,
  type Plan,
  type PlanInput,
} from '../schema/plan';
import { isUndecodable } from './payload-converter';
import type { ProgressPublisher } from './progress-publisher';

/**
 * A plan's `$schema` key (the JSON Schema an editor checks it against) is set aside before the
 * plan is parsed; before this, the strict plan schema refused it as an unknown key. Asked only
 * of plans that carry the key, so other runs record no marker.
 */
const PLAN_EDITOR_SCHEMA = 'plan-editor-schema';

/**
 * Validates the plan as the client does; the workflow id names the generation. The id is checked
 * here too: a run started without the CLI (`temporal workflow start`, another client) has an id
 * no one checked, and it becomes the first part of every storage key of the generation.
 */
export function parsePlan(started: PlanInput, publisher: ProgressPublisher): { plan: Plan; generationId: string } {
  const { workflowId } = workflowInfo();
  const raw = hasEditorSchema(started) && patched(PLAN_EDITOR_SCHEMA) ? withoutEditorSchema(started) : started;
  const parsed = planSchema.safeParse(raw);
  const id = generationIdSchema.safeParse(workflowId);
  if (!parsed.success || !id.success || isUndecodable(raw)) {
    const scenes = (raw as { scenes?: unknown } | null)?.scenes;
    publisher.invalidPlan(Array.isArray(scenes) ? scenes.length : 0);
    const problems = [
      ...(id.success
        ? []
        : [`workflow id ${JSON.stringify(workflowId)} (the generation id): ${describeIssues(id.error)}`]),
      isUndecodable(raw) ? raw.undecodablePayload : parsed.success ? '' : describeIssues(parsed.error),
    ];
    throw ApplicationFailure.create({
      type: FailureType.InvalidPlan,
      nonRetryable: true,
      message: problems.filter(Boolean).join('; '),
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
