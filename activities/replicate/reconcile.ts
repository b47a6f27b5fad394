import type Replicate from 'replicate';
import type { Prediction } from 'replicate';
import { isDeepStrictEqual } from 'node:util';

export interface CreatedPredictionQuery {
  /** `owner/name` of the model the create was for. */
  model: string;
  input: Record<string, unknown>;
  /** The webhook URL the create asked for, when it asked for one: it names the paid call. */
  webhook?: string;
  /** Only predictions created at or after this instant (ISO 8601) are considered. */
  createdAfter: string;
  /** Predictions known to belong to other calls. */
  exclude: ReadonlySet<string>;
  /** Pages of 100 to look through at most, newest first. */
  maxPages?: number;
}

/**
 * Looks for the prediction a create produced when its answer never arrived (the connection
 * dropped, the worker died, the activity timed out): same model and input, created since the
 * create was first scheduled, and, when the create asked for a webhook, that same webhook URL,
 * which names the paid call. Finding it means the create went through and must not be sent again.
 */
export async function findCreatedPrediction(
  replicate: Replicate,
  query: CreatedPredictionQuery
): Promise<Prediction | undefined> {
  let page = (await (
    await replicate.request('/predictions', { params: { created_after: query.createdAfter } })
  ).json()) as { results: Prediction[]; next?: string | null };
  for (let pages = 1; ; pages++) {
    for (const candidate of page.results) {
      if (candidate.model !== query.model || query.exclude.has(candidate.id)) continue;
      if (candidate.created_at < query.createdAfter) continue;
      if (query.webhook && candidate.webhook !== undefined && candidate.webhook !== query.webhook) continue;
      // list entries may omit the input; the prediction itself always has it
      const input = candidate.input ?? (await replicate.predictions.get(candidate.id)).input;
      if (isDeepStrictEqual(input, query.input)) return candidate;
    }
    if (!page.next || pages >= (query.maxPages ?? 5)) return undefined;
    page = (await (
      await replicate.request(new URL(page.next) as unknown as string, { method: 'GET' })
    ).json()) as typeof page;
  }
}
