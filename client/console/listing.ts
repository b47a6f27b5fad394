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
          const key = `${row.id}@${row.startTime.toISOString()}`;
          limitUsd =
            endedLimits.get(key) ??
            (await generations.client.connection.withDeadline(Date.now() + ROW_QUERY_MS, () =>
              endedLimit(handle, row.executionStatus)
            ));
          keep(key, limitUsd);
        }
      } catch {
        // no worker answered the query: the row still shows what visibility knows
      }
      return { ...row, limitUsd, waitingFor };
    })
  );
}

/** An ended run's limit never changes: the list, redrawn every few seconds, reads it once. */
const endedLimits = new Map<string, number>();
const KEPT_LIMITS = 1000;

function keep(key: string, limitUsd: number): void {
  if (endedLimits.has(key)) return;
  if (endedLimits.size >= KEPT_LIMITS) endedLimits.delete(endedLimits.keys().next().value!);
  endedLimits.set(key, limitUsd);
}

/**
 * The limit an ended run closed with: a run that ended without its video records its final state
 * in its memo; one that made its video returns the limit in its result (its close event alone is
 * read); one whose code could not record its end (terminated, timed out) still answers the
 * progress query from a worker, as its page does; it throws when none of them answers.
 */
async function endedLimit(handle: GenerationHandle, executionStatus: string): Promise<number> {
  const final = finalStateSchema.safeParse((await handle.workflow.describe()).memo?.finalState);
  if (final.success) return final.data.limitUsd;
  // only a completed run: `result()` of any other waits for it or throws its failure
  if (executionStatus === 'COMPLETED') return (await handle.result()).limitUsd;
  return (await handle.progress()).budget.limitUsd;
}
