import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { workflowsPath } from './bundle';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** A prebuilt bundle; when unset the workflows are bundled now (about 2 s). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxConcurrentActivityTaskExecutions?: number;
  /** Extra options, for tests (for example `maxCachedWorkflows: 0` to force replays). */
  overrides?: Partial<WorkerOptions>;
}

/** Creates the scenegate worker: every workflow plus the given activities on one task queue. */
export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 50,
    // an activity cancelled by shutdown gets this long to cancel its prediction and report
    shutdownGraceTime: '5s',
    // without a force time a stuck activity makes shutdown hang for ever (sdk-typescript#2266)
    shutdownForceTime: '30s',
    ...options.overrides,
  });
}
