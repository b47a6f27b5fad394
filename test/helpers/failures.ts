import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

/**
 * Asserts a workflow failed with an ApplicationFailure of `type` whose message matches, walking
 * the cause chain (WorkflowFailedError → ApplicationFailure). Returns the failure for more checks.
 */
export function isWorkflowFailure(type: string, message?: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    if (!(err instanceof WorkflowFailedError)) throw new Error(`expected a WorkflowFailedError, got ${String(err)}`);
    const cause = err.cause;
    if (!(cause instanceof ApplicationFailure))
      throw new Error(`expected an ApplicationFailure cause, got ${String(cause)}`);
    if (cause.type !== type) throw new Error(`expected failure type ${type}, got ${cause.type}: ${cause.message}`);
    if (message && !message.test(cause.message))
      throw new Error(`failure message "${cause.message}" does not match ${message}`);
    return true;
  };
}

/** The ApplicationFailure at the end of a workflow failure. */
export function applicationFailureOf(err: unknown): ApplicationFailure {
  if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) return err.cause;
  throw new Error(`not a workflow ApplicationFailure: ${String(err)}`);
}
