import { finishedStatuses, type GenerationStatus, type Progress } from '../schema/progress';

/** The generation status a closed workflow execution implies when its own code could not record one. */
const closedStatus: Record<string, GenerationStatus | undefined> = {
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
  CANCELLED: 'cancelled',
  FAILED: 'failed',
};

/**
 * A generation's progress as it really ended. A terminated (or timed-out) workflow runs no more
 * code, so its last recorded progress still says `generating` with scenes `running`; read
 * beside the execution's status, it says how the run ended and that its unfinished scenes
 * were stopped.
 */
export function asClosed(progress: Progress, executionStatus: string): Progress {
  const status = closedStatus[executionStatus];
  if (!status || finishedStatuses.includes(progress.status)) return progress;
  return {
    ...progress,
    status,
    waitingFor: null,
    waitingOn: [],
    etaAt: null,
    scenes: progress.scenes.map((s) =>
      s.status === 'running' || s.status === 'scoring' || s.status === 'awaiting_ops'
        ? { ...s, status: 'cancelled' }
        : s
    ),
    totals: { ...progress.totals, running: 0 },
  };
}

/** The status to list a generation under, from its search attribute and its execution's status. */
export function listedStatus(attribute: string | undefined, executionStatus: string): string {
  const closed = closedStatus[executionStatus];
  if (closed && !finishedStatuses.includes(attribute as GenerationStatus)) return closed;
  return attribute ?? (executionStatus === 'RUNNING' ? 'preparing' : 'unknown');
}
