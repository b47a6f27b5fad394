import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { accountWideFailures, type FailureType } from '../schema/failures';

const applicationCause = (err: unknown): ApplicationFailure | undefined => {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? cause : undefined;
};

/** A failure that concerns the whole Replicate account (a refused token, no credit), with its type. */
export function accountFailureOf(err: unknown): { type: string; message: string } | undefined {
  const cause = applicationCause(err);
  if (!cause?.type || !accountWideFailures.includes(cause.type as FailureType)) return undefined;
  return { type: cause.type, message: cause.message };
}

/** True when the activity gave up because retrying cannot help (bad input, token, unknown model). */
export function isPermanent(err: unknown): boolean {
  return applicationCause(err)?.nonRetryable === true;
}

/** The innermost message of a failure chain, for operators. */
export function messageOf(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && (current as { cause?: unknown }).cause instanceof Error) {
    current = (current as { cause?: unknown }).cause;
  }
  return current instanceof Error ? current.message : String(current);
}
