import { ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/workflow';

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

/** True when the activity gave up because retrying cannot help (bad input, token, unknown model). */
export function isPermanent(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.nonRetryable === true;
}

/** The innermost message of a failure chain, for operators. */
export function messageOf(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && (current as { cause?: unknown }).cause instanceof Error) {
    current = (current as { cause?: unknown }).cause;
  }
  return current instanceof Error ? current.message : String(current);
}
