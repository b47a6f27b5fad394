import { ApplicationFailure } from '@temporalio/common';
import { clipText, UPSTREAM_ERROR_MAX } from '../../schema/error-text';
import { FailureType } from '../../schema/failures';

interface ProblemBody {
  title?: string;
  detail?: string;
  retry_after?: number;
  invalid_fields?: { field?: string; description?: string; type?: string }[];
}

/** What an HTTP exchange with Replicate came to, independent of the client's error classes. */
export interface ReplicateHttpError {
  status: number;
  body: ProblemBody;
  retryAfterSec?: number;
}

/**
 * Reads status, problem body and Retry-After from the `replicate` client's ApiError, whose
 * body was already consumed: it survives only in the message
 * ("Request to URL failed with status N TEXT: BODY.").
 */
export function asHttpError(err: unknown): ReplicateHttpError | undefined {
  const e = err as { name?: string; message?: string; response?: Response };
  if (e?.name !== 'ApiError' || !e.response) return undefined;
  const match = /failed with status \d+[^:]*: ([\s\S]*)\.$/.exec(e.message ?? '');
  let body: ProblemBody = {};
  try {
    body = JSON.parse(match?.[1] ?? '{}') as ProblemBody;
  } catch {
    body = { detail: match?.[1] };
  }
  const header = e.response.headers.get('retry-after');
  const headerSec = header === null ? undefined : Number(header);
  const retryAfterSec = Number.isFinite(headerSec) ? headerSec : body.retry_after;
  return { status: e.response.status, body, retryAfterSec };
}

function describe(http: ReplicateHttpError): string {
  const fields = http.body.invalid_fields?.map((f) => `${f.field ?? 'input'}: ${f.description ?? f.type ?? 'invalid'}`);
  return [http.body.title, fields?.length ? fields.join('; ') : http.body.detail].filter(Boolean).join(': ');
}

/**
 * Turns an error from a Replicate call into a typed ApplicationFailure: non-retryable when a
 * person must act (token, credit, input, unknown model), retryable with Replicate's own
 * delay for 429, with backoff for 5xx and network errors. `context` says what was being
 * done (e.g. `creating the prediction for scene s2`); `redact` removes the token.
 */
export function toReplicateFailure(
  err: unknown,
  context: string,
  redact: (text: string) => string,
  details: unknown[] = []
): ApplicationFailure {
  const http = asHttpError(err);
  const make = (
    type: FailureType,
    nonRetryable: boolean,
    message: string,
    nextRetryDelay?: number
  ): ApplicationFailure =>
    ApplicationFailure.create({
      type,
      nonRetryable,
      message: redact(`${context}: ${message}`),
      details,
      ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}),
    });
  if (!http) {
    const cause = clipText(redact((err as Error)?.message ?? String(err)), UPSTREAM_ERROR_MAX);
    return make(FailureType.ReplicateNetwork, false, `network error (${cause})`);
  }
  // an answer's text can be any length; what is kept travels in history with every retry
  const text = clipText(redact(describe(http)), UPSTREAM_ERROR_MAX) || `HTTP ${http.status}`;
  // an empty account answers 402, and sometimes another 4xx saying so: either way only money helps
  const noCredit = http.status === 402 || /insufficient credit|out of credit|payment required/i.test(text);
  switch (true) {
    case http.status === 401 || http.status === 403:
      return make(
        FailureType.ReplicateAuth,
        true,
        `Replicate refused the API token (${http.status} ${text}); check REPLICATE_API_TOKEN`
      );
    case noCredit:
      return make(
        FailureType.ReplicateBilling,
        true,
        `Replicate needs more credit before it runs anything (${http.status} ${text}); add credit to the account of REPLICATE_API_TOKEN`
      );
    case http.status === 404:
      return make(FailureType.ReplicateNotFound, true, `not found (${text})`);
    case http.status === 429: {
      const delaySec = http.retryAfterSec ?? 10;
      return make(
        FailureType.ReplicateRateLimited,
        false,
        `rate limited; retrying after ${delaySec} s as Replicate asks`,
        delaySec * 1000
      );
    }
    case http.status >= 500:
      return make(FailureType.ReplicateUnavailable, false, `Replicate answered ${http.status} (${text})`);
    default:
      return make(FailureType.ReplicateInvalidInput, true, `Replicate rejected the request (${http.status} ${text})`);
  }
}

/** True for failures worth another try within the same activity attempt (polling, downloads). */
export function isTransient(err: unknown): boolean {
  const http = asHttpError(err);
  return !http || http.status === 429 || http.status >= 500;
}
