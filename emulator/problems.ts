import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An RFC 7807 problem, as the hosted API answers errors. */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  [extra: string]: unknown;
}

/** Answers `problem` as the hosted API does: its status and an `application/problem+json` body. */
export function problemResponse(c: Context, problem: Problem, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
    ...headers,
  });
}

export const problems = {
  unauthenticated: (): Problem => ({
    status: 401,
    title: 'Unauthenticated',
    detail: 'You did not pass a valid authentication token',
  }),
  insufficientCredit: (): Problem => ({
    status: 402,
    title: 'Insufficient credit',
    detail:
      'You have insufficient credit to run this model. Go to https://replicate.com/account/billing to purchase credit.',
  }),
  notFound: (what: string): Problem => ({ status: 404, title: 'Not found', detail: `${what} was not found` }),
  invalidVersion: (): Problem => ({
    status: 422,
    title: 'Invalid version or not permitted',
    detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
  }),
  invalidInput: (invalid: { type: string; field: string; description: string }[]): Problem => ({
    status: 422,
    title: 'Input validation failed',
    detail: invalid.map((f) => `- ${f.field}: ${f.description}`).join('\n') + '\n',
    invalid_fields: invalid,
  }),
  badRequest: (detail: string): Problem => ({ status: 400, title: 'Bad request', detail }),
  throttled: (retryAfterSec: number): Problem => ({
    status: 429,
    title: 'Request was throttled',
    detail: `Request was throttled. Your rate limit resets in ~${retryAfterSec}s.`,
    retry_after: retryAfterSec,
  }),
  payloadTooLarge: (maxBytes: number): Problem => ({
    status: 413,
    title: 'Payload too large',
    detail: `the body is over ${maxBytes} bytes`,
  }),
  serverError: (status: number): Problem => ({
    status,
    title: status === 503 ? 'Service unavailable' : 'Internal server error',
    detail: 'Something went wrong on our end; try again later.',
  }),
};
