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
  /** Told of each thing the search could not see, for the log. */
  blind?: (what: string) => void;
}

/**
 * Looks for the prediction a create produced when its answer never arrived (the connection
 * dropped, the worker died, the activity timed out): same model and input, created since the
 * create was first scheduled, not one this generation already recorded for another call, and,
 * when the create asked for a webhook and the prediction shows one, that same webhook URL, which
 * names the paid call. Finding it means the create went through and must not be sent again.
 *
 * What it cannot see it says through `blind`: Replicate's documented prediction object has no
 * webhook field (two calls of identical input then cannot be told apart by it), inputs are
 * removed an hour after a prediction ends, and only `maxPages` pages of 100 are read.
 */
export async function findCreatedPrediction(
  replicate: Replicate,
  query: CreatedPredictionQuery
): Promise<Prediction | undefined> {
  const blind = new Set<string>();
  const found = await search(replicate, query, (what) => blind.add(what));
  for (const what of blind) query.blind?.(what);
  return found;
}

async function search(
  replicate: Replicate,
  query: CreatedPredictionQuery,
  blind: (what: string) => void
): Promise<Prediction | undefined> {
  let page = (await (
    await replicate.request('/predictions', { params: { created_after: query.createdAfter } })
  ).json()) as { results: Prediction[]; next?: string | null };
  for (let pages = 1; ; pages++) {
    for (const listed of page.results) {
      if (listed.model !== query.model || query.exclude.has(listed.id)) continue;
      if (listed.created_at < query.createdAfter) continue;
      // list entries may omit the input (and the webhook); the prediction itself may show them
      let candidate = listed.input ? listed : await replicate.predictions.get(listed.id);
      if (candidate.data_removed) {
        blind('a candidate whose input Replicate already removed (an hour after it ended)');
        continue;
      }
      if (!isDeepStrictEqual(candidate.input, query.input)) continue;
      if (query.webhook) {
        if (candidate.webhook === undefined && candidate === listed) {
          candidate = await replicate.predictions.get(listed.id);
        }
        if (candidate.webhook === undefined) {
          blind('the webhook of a candidate of the same input (Replicate does not show it)');
        } else if (candidate.webhook !== query.webhook) continue;
      }
      return candidate;
    }
    if (!page.next) return undefined;
    if (pages >= (query.maxPages ?? 5)) {
      blind(`predictions beyond the newest ${pages * 100} created since ${query.createdAfter}`);
      return undefined;
    }
    page = (await (
      await replicate.request(new URL(page.next) as unknown as string, { method: 'GET' })
    ).json()) as typeof page;
  }
}
