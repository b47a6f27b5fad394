import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { splitByQueue } from '../activities';
import type { Activities } from '../schema/activities';
import { createQueueOf } from '../schema/task-queues';
import { payloadConverterPath, workflowsPath } from './bundle';

export interface CreateWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** Predictions created per minute across every worker of the task queue (Temporal enforces it on the create queue). */
  createsPerMinute: number;
  /** A prebuilt bundle; when unset the workflows are bundled now (about 2 s). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxConcurrentActivityTaskExecutions?: number;
  /** Worker plugins, such as tracing's (see `startTracing`). */
  plugins?: WorkerOptions['plugins'];
  /** Extra options for both workers, for tests (for example `maxCachedWorkflows: 0` to force replays). */
  overrides?: Partial<WorkerOptions>;
}

/** scenegate's two workers in one process: generations and their activities, and prediction creates. */
export interface ScenegateWorkers {
  run(): Promise<void>;
  /** Runs both until `fn` settles, then shuts them down. */
  runUntil<T>(fn: () => Promise<T>): Promise<T>;
  shutdown(): void;
}

const shared = {
  // an activity cancelled by shutdown gets this long to report
  shutdownGraceTime: '5s',
  // without a force time a stuck activity makes shutdown hang for ever (sdk-typescript#2266)
  shutdownForceTime: '30s',
} as const;

/**
 * Creates the workers of one task queue: one for the generations (every workflow) and their
 * activities, one for prediction creates on their own queue, whose dispatch rate Temporal limits
 * to `createsPerMinute` for all workers together. Neither holds a slot while a model runs.
 */
export async function createWorkers(options: CreateWorkersOptions): Promise<ScenegateWorkers> {
  const { main, creates } = splitByQueue(options.activities);
  const base = {
    connection: options.connection,
    namespace: options.namespace,
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...shared,
  };
  const generations = await Worker.create({
    ...base,
    taskQueue: options.taskQueue,
    activities: main,
    // a prebuilt bundle holds the payload converter already (see `writeWorkflowBundle`)
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath, dataConverter: { payloadConverterPath } }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 50,
    ...options.overrides,
  });
  const creator = await Worker.create({
    ...base,
    taskQueue: createQueueOf(options.taskQueue),
    activities: creates,
    maxTaskQueueActivitiesPerSecond: options.createsPerMinute / 60,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 50,
    ...options.overrides,
  });
  return {
    async run() {
      await Promise.all([generations.run(), creator.run()]);
    },
    runUntil: (fn) => generations.runUntil(() => creator.runUntil(fn)),
    shutdown() {
      generations.shutdown();
      creator.shutdown();
    },
  };
}
