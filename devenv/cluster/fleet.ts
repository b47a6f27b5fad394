import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startConsole, type ConsoleServer } from '../../client/console/serve';
import { GenerationClient } from '../../client/generation-client';
import { S3Storage } from '../../common/storage/s3';
import { startEmulator, type Emulator } from '../../emulator';
import { startWebhookReceiver, type WebhookReceiver } from '../../worker/webhook-receiver';
import { buildProduction, distDir, productionWorkerEnv } from '../production-build';
import { startCluster, type Cluster } from './cluster';
import { startService, type ServiceProcess } from './processes';

/** One production worker of the fleet: its own process and state folder, nothing shared but the bucket and the cluster. */
export interface FleetWorker {
  index: number;
  stateDir: string;
  logFile: string;
  running(): boolean;
  /** SIGKILL, as a crashed host would. */
  kill(): Promise<void>;
  /** Starts it again (after a kill or a stop) with the same settings and folder. */
  start(): void;
  stop(): Promise<void>;
}

/** The cluster with what runs on it: workers, the emulator, one webhook receiver and the console. */
export interface Fleet {
  cluster: Cluster;
  emulator: Emulator;
  receiver: WebhookReceiver;
  console: ConsoleServer;
  client: Client;
  generations: GenerationClient;
  /** Every worker's view of the bucket is its own; this one is the fleet's, for links and checks. */
  storage: S3Storage;
  workers: FleetWorker[];
  taskQueue: string;
  stop(): Promise<void>;
}

export interface StartFleetOptions {
  dir: string;
  workers: number;
  taskQueue?: string;
  log?: (line: string) => void;
  /** Extra settings for every worker (SCENEGATE_* variables). */
  workerEnv?: NodeJS.ProcessEnv;
}

/**
 * The topology docker-compose.yml describes, on this machine without Docker: Temporal on
 * PostgreSQL and versitygw (see `startCluster`), `workers` production workers (`node
 * dist/worker.js`, built first) each with a state folder of its own, the Replicate emulator, a
 * webhook receiver in front of them all (as a load balancer would be), and the review console.
 */
export async function startFleet(options: StartFleetOptions): Promise<Fleet> {
  const log = options.log ?? (() => undefined);
  const dir = path.resolve(options.dir);
  const taskQueue = options.taskQueue ?? 'scenegate';
  const built = Date.now();
  const files = await buildProduction();
  log(
    `Production build in ${((Date.now() - built) / 1000).toFixed(1)} s: ${files.map((f) => `${f.file} ${f.kb} KB`).join(', ')}.`
  );
  const cluster = await startCluster({ dir: path.join(dir, 'servers'), log });
  const stops: (() => Promise<void>)[] = [cluster.stop];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => log(`stopping: ${String(err)}`));
  };
  try {
    const emulator = await startEmulator({ dataDir: path.join(dir, 'emulator') });
    stops.push(() => emulator.close());
    const connection = await Connection.connect({ address: cluster.temporal.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: cluster.temporal.namespace });
    const receiver = await startWebhookReceiver({
      client,
      fetchSecret: async () => emulator.webhookSecret,
      host: '127.0.0.1',
      port: 0,
      log: (level, message, fields) => {
        if (level !== 'info') log(`webhook receiver: ${message} ${JSON.stringify(fields ?? {})}`);
      },
    });
    stops.push(() => receiver.close());
    const s3 = {
      SCENEGATE_S3_BUCKET: cluster.s3.bucket,
      SCENEGATE_S3_ENDPOINT: cluster.s3.endpoint,
      SCENEGATE_S3_REGION: cluster.s3.region,
      SCENEGATE_S3_ACCESS_KEY_ID: cluster.s3.accessKeyId,
      SCENEGATE_S3_SECRET_ACCESS_KEY: cluster.s3.secretAccessKey,
      SCENEGATE_S3_PREFIX: 'scenegate/',
    };
    const storage = new S3Storage({
      bucket: cluster.s3.bucket,
      prefix: s3.SCENEGATE_S3_PREFIX,
      region: cluster.s3.region,
      endpoint: cluster.s3.endpoint,
      credentials: { accessKeyId: cluster.s3.accessKeyId, secretAccessKey: cluster.s3.secretAccessKey },
      cacheDir: path.join(dir, 'console-cache'),
    });
    const generations = new GenerationClient(client, taskQueue);
    const consoleServer = await startConsole({ generations, storage, host: '127.0.0.1', port: 0 });
    stops.push(() => consoleServer.close());

    const workerEnv = (index: number): NodeJS.ProcessEnv => ({
      ...process.env,
      ...s3,
      TEMPORAL_ADDRESS: cluster.temporal.address,
      TEMPORAL_NAMESPACE: cluster.temporal.namespace,
      SCENEGATE_TASK_QUEUE: taskQueue,
      SCENEGATE_STATE_DIR: path.join(dir, `worker-${index}`),
      REPLICATE_BASE_URL: emulator.baseUrl,
      REPLICATE_API_TOKEN: '',
      SCENEGATE_WEBHOOK_URL: receiver.url,
      SCENEGATE_WEBHOOK_PORT: '',
      SCENEGATE_CONSOLE_URL: consoleServer.url,
      SCENEGATE_REFERENCE_ROOTS: path.resolve(distDir, '..'),
      ...options.workerEnv,
    });
    const workers = Array.from({ length: options.workers }, (_, i) => fleetWorker(i + 1, dir, workerEnv(i + 1)));
    for (const worker of workers) worker.start();
    stops.push(async () => {
      await Promise.all(workers.map((w) => w.stop()));
    });
    log(`${workers.length} workers started (node dist/worker.js), each with its own folder under ${dir}.`);
    return {
      cluster,
      emulator,
      receiver,
      console: consoleServer,
      client,
      generations,
      storage,
      workers,
      taskQueue,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function fleetWorker(index: number, dir: string, env: NodeJS.ProcessEnv): FleetWorker {
  const stateDir = env.SCENEGATE_STATE_DIR!;
  const logFile = path.join(dir, `worker-${index}.log`);
  fs.mkdirSync(stateDir, { recursive: true });
  let child: ServiceProcess | undefined;
  return {
    index,
    stateDir,
    logFile,
    running: () => child?.running() ?? false,
    start() {
      if (child?.running()) return;
      child = startService(process.execPath, [path.join(distDir, 'worker.js')], {
        logFile,
        env: { ...env, ...productionWorkerEnv },
      });
    },
    async kill() {
      child?.signal('SIGKILL');
      await child?.exited;
    },
    async stop() {
      await child?.stop(10_000);
    },
  };
}
