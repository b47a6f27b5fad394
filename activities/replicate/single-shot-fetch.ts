/**
 * A `fetch` for the `replicate` client that sends each request at most once.
 *
 * The client (v1.4.0) retries by calling fetch again with the same `init` object: with no
 * real delay, ignoring Retry-After, and after a network error even for a create POST, which
 * can create (and bill) a second prediction. scenegate retries itself, with backoff and
 * reconciliation, so here a repeat of the same request replays the first outcome instead of
 * reaching the network: the client's loop ends at once and its error carries the first
 * response (status, headers such as Retry-After) or the first network error.
 */
export function singleShotFetch(inner: typeof fetch = globalThis.fetch): typeof fetch {
  const outcomes = new WeakMap<object, Promise<Response>>();
  return (input, init) => {
    if (!init) return inner(input, init);
    let outcome = outcomes.get(init);
    if (!outcome) {
      outcome = inner(input, init);
      outcomes.set(init, outcome);
    }
    return outcome.then((response) => response.clone());
  };
}
