import type { ServerResponse } from 'node:http';

/** An RFC 7807 problem, as the hosted API answers errors. */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  [extra: string]: unknown;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendProblem(res: ServerResponse, problem: Problem, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(problem);
  res.writeHead(problem.status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
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
  serverError: (status: number): Problem => ({
    status,
    title: status === 503 ? 'Service unavailable' : 'Internal server error',
    detail: 'Something went wrong on our end; try again later.',
  }),
};
