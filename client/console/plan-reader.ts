import type { Client } from '@temporalio/client';
import { fromPayloadsAtIndex } from '@temporalio/common';
import { planSchema, withoutEditorSchema, type Plan } from '../../schema/plan';

/** Plans kept at most. */
const KEPT_PLANS = 200;

/**
 * A generation's plan, as its workflow was started with it: the gate page shows the gate scene's
 * prompt, the groups' descriptions and what approving would cost, none of which the progress
 * query carries. Read from the first event of the run's history (one event, not the whole
 * history, which grows with every scene), parsed as the workflow parses it, and kept: a run's
 * input never changes.
 */
export class PlanReader {
  private readonly plans = new Map<string, Promise<Plan | null>>();

  constructor(private readonly client: Client) {}

  /**
   * The plan of the run that started at `startedAt` (progress's), or null when it cannot be read
   * (the history is gone, or the input is not a plan this console knows): the page then shows
   * what progress has.
   */
  planOf(generationId: string, startedAt: string): Promise<Plan | null> {
    const key = `${generationId}@${startedAt}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = this.read(generationId);
      // the oldest goes first: a console left open for weeks keeps the plans of the pages people open now
      if (this.plans.size >= KEPT_PLANS) this.plans.delete(this.plans.keys().next().value!);
      this.plans.set(key, plan);
      // a failed read is tried again on the next page
      void plan.then((p) => p ?? this.plans.delete(key));
    }
    return plan;
  }

  private async read(workflowId: string): Promise<Plan | null> {
    try {
      const { history } = await this.client.workflowService.getWorkflowExecutionHistory({
        namespace: this.client.options.namespace,
        execution: { workflowId },
        maximumPageSize: 1,
      });
      const started = history?.events?.[0]?.workflowExecutionStartedEventAttributes;
      if (!started) return null;
      // the SDK's public pieces, not its internal path (an installed client loads this as ES modules)
      const { payloadConverter, payloadCodecs } = this.client.options.loadedDataConverter;
      let payloads = started.input?.payloads ?? [];
      for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
      const input = fromPayloadsAtIndex(payloadConverter, 0, payloads);
      const parsed = planSchema.safeParse(withoutEditorSchema(input));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
}
