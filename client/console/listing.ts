import { finalStateSchema } from '../../schema/progress';
import { GenerationHandle, type GenerationClient } from '../generation-client';
import { waitsInConsoleTerms, type ListedGeneration } from './pages';

/** How long a row waits for its run's answer. */
const ROW_QUERY_MS = 1500;

/** The statuses in which a generation waits for a person: a gate decision, money or an operator. */
export const needsMeStatuses = ['awaiting_approval', 'awaiting_budget', 'awaiting_ops'] as const;

/**
 * Generations, newest first, from the visibility query over the Generation* search attributes,
 * completed by each run's own account: the progress query while it runs (its limit and what it
 * waits for), the final state in its memo once it ended.
 */
export async function listGenerations(generations: GenerationClient, needsMe: boolean): Promise<ListedGeneration[]> {
  const listed = needsMe
    ? (await Promise.all(needsMeStatuses.map((status) => generations.list({ status })))).flat()
    : await generations.list();
  listed.sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
  return Promise.all(
    listed.map(async (row) => {
      const handle = new GenerationHandle(generations.client.workflow.getHandle(row.id));
      let limitUsd: number | null = null;
      let waitingFor: string | null = null;
      try {
        if (row.executionStatus === 'RUNNING') {
          // a run whose worker is gone cannot answer: its row must not hold the page up
          const progress = await generations.client.connection.withDeadline(Date.now() + ROW_QUERY_MS, () =>
            handle.progress()
          );
          limitUsd = progress.budget.limitUsd;
          waitingFor = waitsInConsoleTerms(progress.waitingOn);
        } else {
          const final = finalStateSchema.safeParse((await handle.workflow.describe()).memo?.finalState);
          if (final.success) limitUsd = final.data.limitUsd;
        }
      } catch {
        // no worker answered the query: the row still shows what visibility knows
      }
      return { ...row, limitUsd, waitingFor };
    })
  );
}
