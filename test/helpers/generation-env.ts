import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createActivities, type ActivityDeps } from '../../activities';
import type { Activities } from '../../schema/activities';
import { createReplicateClient, replicateConnection } from '../../activities/replicate/client';
import { LocalStorage } from '../../common/storage/local';
import { GenerationClient } from '../../client/generation-client';
import { loadCatalogue } from '../../common/catalogue-file';
import { projectRoot } from '../../common/paths';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator';
import type { PlanInput } from '../../schema/plan';
import { createWorkers } from '../../worker/create-workers';
import { startWebhookReceiver, type WebhookReceiver } from '../../worker/webhook-receiver';
import { taskQueueFor, useTestTemporal, type TestTemporal } from './temporal-env';

/** Everything a generation test needs: the real server, the emulator, the webhook receiver, storage and workers. */
export interface GenerationEnv {
  temporal: TestTemporal;
  emulator: Emulator;
  /** Receives the emulator's webhooks in the test process, so it outlives any worker a test kills. */
  receiver: WebhookReceiver;
  /** What the receiver logged as refused. */
  refusedWebhooks: Record<string, unknown>[];
  storageDir: string;
  taskQueue: string;
  generations: GenerationClient;
  deps: ActivityDeps;
  /** Runs `fn` while scenegate's workers serve this file's task queue. */
  withWorker<T>(fn: () => Promise<T>, activities?: Activities): Promise<T>;
  /**
   * scenegate's workers for this file's task queue in a process of their own (test/helpers/worker-process.ts),
   * for a test to kill or to measure; `settings` adds to its environment. The caller kills it.
   * A `standby` process loads and connects, then polls only once the caller writes a line to its stdin:
   * a test that kills workers can have the next one ready, so a restart costs no process start.
   */
  workerProcess(settings?: Record<string, string>, stdout?: 'pipe' | 'ignore', standby?: 'standby'): ChildProcess;
  teardown(): Promise<void>;
}

export interface GenerationEnvOptions extends EmulatorOptions {
  /** false: create predictions without a webhook, so only the workflow's timed reads learn their end. */
  webhooks?: boolean;
}

export async function useGenerationEnv(fileUrl: string, options: GenerationEnvOptions = {}): Promise<GenerationEnv> {
  const { webhooks = true, ...emulatorOptions } = options;
  const temporal = await useTestTemporal();
  const storageDir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-test-'));
  const emulator = await startEmulator({ dataDir: path.join(storageDir, 'emulator'), ...emulatorOptions });
  const connection = replicateConnection({ baseUrl: emulator.baseUrl, emulatorToken: emulator.token });
  const refusedWebhooks: Record<string, unknown>[] = [];
  const receiver = await startWebhookReceiver({
    client: temporal.env.client,
    fetchSecret: async () => emulator.webhookSecret,
    host: '127.0.0.1',
    port: 0,
    log: (level, message, fields) => {
      if (level === 'warn') refusedWebhooks.push({ message, ...fields });
    },
  });
  const deps: ActivityDeps = {
    replicate: createReplicateClient(connection),
    connection,
    storage: new LocalStorage(path.join(storageDir, 'storage')),
    catalogue: loadCatalogue(),
    referenceRoots: [projectRoot, os.tmpdir()],
    reconcileSkewMs: 5_000,
    ...(webhooks ? { webhookUrl: receiver.url } : {}),
  };
  const taskQueue = taskQueueFor(fileUrl);
  const generations = new GenerationClient(temporal.env.client, taskQueue);
  return {
    temporal,
    emulator,
    receiver,
    refusedWebhooks,
    storageDir,
    taskQueue,
    generations,
    deps,
    async withWorker(fn, activities = createActivities(deps)) {
      const workers = await createWorkers({
        connection: temporal.env.nativeConnection,
        namespace: temporal.env.namespace ?? 'default',
        taskQueue,
        activities,
        createsPerMinute: 6000,
        workflowBundle: temporal.workflowBundle,
        overrides: { maxHeartbeatThrottleInterval: '500ms', defaultHeartbeatThrottleInterval: '500ms' },
      });
      return workers.runUntil(async () => {
        try {
          return await fn();
        } finally {
          // a test that failed with predictions held would keep the worker's activities (and the file) waiting
          emulator.release();
        }
      });
    },
    workerProcess(settings = {}, stdout = 'ignore', standby) {
      return spawn(
        process.execPath,
        ['--import', 'tsx', path.join(projectRoot, 'test', 'helpers', 'worker-process.ts')],
        {
          env: {
            ...process.env,
            TEMPORAL_ADDRESS: temporal.env.address,
            TASK_QUEUE: taskQueue,
            BUNDLE_PATH: temporal.workflowBundle.codePath,
            REPLICATE_BASE_URL: emulator.baseUrl,
            EMULATOR_TOKEN: emulator.token,
            STORAGE_DIR: path.join(storageDir, 'storage'),
            ...(standby ? { WORKER_STANDBY: '1' } : {}),
            ...settings,
          },
          stdio: [standby ? 'pipe' : 'ignore', stdout, 'inherit'],
        }
      );
    },
    async teardown() {
      // scenegate must only call routes the hosted API has; the emulator keeps the others across resets
      const unknown = emulator.stats().unknownRoutes;
      await receiver.close();
      await emulator.close();
      await temporal.teardown();
      await fs.rm(storageDir, { recursive: true, force: true });
      assert.deepEqual(unknown, [], 'requests reached routes the Replicate API does not have');
    },
  };
}

const mara = path.join(projectRoot, 'examples', 'references', 'mara.png');
const bottle = path.join(projectRoot, 'examples', 'references', 'lumen-bottle.png');

/** A small plan over the example references; `scenes` scenes alternating the character and the product. */
export function testPlan(generationId: string, scenes: number, extra: Partial<PlanInput> = {}): PlanInput {
  return {
    generationId,
    consistencyGroups: [
      { id: 'mara', kind: 'character', referenceImages: [mara], strength: 0.7 },
      { id: 'lumen', kind: 'product', referenceImages: [bottle], strength: 0.7 },
    ],
    scenes: Array.from({ length: scenes }, (_, i) => ({
      id: `s${i + 1}`,
      prompt: `scene ${i + 1}: Mara holds the Lumen bottle`,
      durationSec: 2,
      entities: i % 2 === 0 ? ['mara', 'lumen'] : ['mara'],
    })),
    gate: { enabled: false },
    timeouts: { heartbeat: '5s', predictionCheck: '2s' },
    ...extra,
  };
}
