import { ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/workflow';
import { accountWideFailures, FailureType } from '../schema/failures';

const applicationCause = (err: unknown): ApplicationFailure | undefined => {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? cause : undefined;
};

/** The prediction an activity failure concerns, from the failure's details or the last heartbeat. */
export function predictionIdOf(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const candidates: unknown[] = [];
  if (cause instanceof ApplicationFailure || cause instanceof CancelledFailure)
    candidates.push(...(cause.details ?? []));
  if (cause instanceof TimeoutFailure) candidates.push(cause.lastHeartbeatDetails);
  for (const c of candidates) {
    const id = (c as { predictionId?: unknown } | undefined)?.predictionId;
    if (typeof id === 'string') return id;
  }
  return undefined;
}

/** What a cancelled scene attempt cost, when the activity reported it. */
export function cancelledCostOf(err: unknown): number | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof CancelledFailure)) return undefined;
  const cost = (cause.details?.[0] as { costUsd?: unknown } | undefined)?.costUsd;
  return typeof cost === 'number' ? cost : undefined;
}

/** A model run that ended failed: its prediction, what it cost and the model's error. */
export function predictionFailureOf(
  err: unknown
): { predictionId: string; costUsd: number; error: string } | undefined {
  const cause = applicationCause(err);
  if (cause?.type !== FailureType.PredictionFailed) return undefined;
  const details = cause.details?.[0] as { predictionId?: unknown; costUsd?: unknown } | undefined;
  if (typeof details?.predictionId !== 'string' || typeof details.costUsd !== 'number') return undefined;
  return { predictionId: details.predictionId, costUsd: details.costUsd, error: cause.message };
}

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
