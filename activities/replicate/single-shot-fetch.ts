import { STATUS_CODES } from 'node:http';
import { readBody, send } from '../http-client';

/** One HTTP exchange, its body read in full, so each caller can be given a fresh Response. */
interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** Sends one request; the client always names it by a string or a URL. */
async function exchange(input: string | URL | Request, init: RequestInit): Promise<Answer> {
  if (input instanceof Request) throw new TypeError('singleShotFetch takes a URL, not a Request');
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  const response = await send(new URL(String(input)), {
    method: init.method ?? 'GET',
    headers,
    body: init.body as string | undefined,
    signal: init.signal ?? undefined,
  });
  const received = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) received.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return { status: response.statusCode!, headers: received, body: await readBody(response) };
}

const toResponse = ({ status, headers, body }: Answer): Response =>
  new Response([204, 205, 304].includes(status) ? null : body, {
    status,
    statusText: STATUS_CODES[status] ?? '',
    headers,
  });

/**
 * A `fetch` for the `replicate` client that sends each request at most once.
 *
 * The client (v1.4.0) retries by calling fetch again with the same `init` object: with no
 * real delay, ignoring Retry-After, and after a network error even for a create POST, which
 * can create (and bill) a second prediction. scenegate retries itself, with backoff and
 * reconciliation, so here a repeat of the same request replays the first outcome instead of
 * reaching the network: the client's loop ends at once and its error carries the first
 * response (status, headers such as Retry-After) or the first network error.
 *
 * JSON calls go through node's http (../http-client.ts), not the global fetch: fetch's web
 * streams (and the clone each caller needed) cost about twice the CPU, on the thread that runs
 * every activity. Unlike fetch it follows no redirect (Replicate's API answers where it is asked)
 * and reads each body whole (scenegate streams nothing from the API). File uploads (a FormData
 * body) keep the global fetch.
 */
export function singleShotFetch(): typeof fetch {
  const outcomes = new WeakMap<object, Promise<() => Response>>();
  return (input, init) => {
    if (!init) return globalThis.fetch(input, init);
    let outcome = outcomes.get(init);
    if (!outcome) {
      outcome =
        init.body === undefined || init.body === null || typeof init.body === 'string'
          ? exchange(input, init).then((answer) => () => toResponse(answer))
          : globalThis.fetch(input, init).then((response) => () => response.clone());
      outcomes.set(init, outcome);
    }
    return outcome.then((respond) => respond());
  };
}
