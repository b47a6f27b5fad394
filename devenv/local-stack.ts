import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { startEmulator, type Emulator } from '../emulator';
import { loadSettings, ownMachineReferenceRoots } from '../common/settings';
import { activityDepsFromSettings } from '../worker/activity-deps';
import { createWorkers } from '../worker/create-workers';
import { installRuntime } from '../worker/runtime';
import { startWebhookReceiver, type WebhookReceiver } from '../worker/webhook-receiver';
import { ensureLocalTemporal, type LocalTemporal } from './local-temporal';
import { workerRuntimeLogging } from './worker-log';
import { stateDir } from '../common/paths';
import type { Settings } from '../common/settings';
import type { Storage } from '../common/storage/storage';
import { startConsoleFromSettings } from '../client/console/from-settings';
import type { ConsoleServer } from '../client/console/serve';

/** Temporal, Replicate (the emulator unless REPLICATE_API_TOKEN is set) and a worker, for `npm start` and `npm run dev`. */
export interface LocalStack {
  temporal: LocalTemporal;
  /** Set when scenes go to the local emulator. */
  emulator?: Emulator;
  replicateBaseUrl: string;
  client: Client;
  taskQueue: string;
  logFile: string;
  /** Where the worker keeps references, clips and videos. */
  storage: Storage;
  /** The review console, on SCENEGATE_CONSOLE_PORT (or a free port when that one is taken). */
  console: ConsoleServer;
  stop(): Promise<void>;
}

/**
 * Starts (or reuses) everything a generation needs on this machine. Worker logs, the Temporal
 * core's included, go to worker.log under SCENEGATE_STATE_DIR so they do not break the live
 * display; a warning a person must act on gets one line on stderr (see worker-log.ts).
 */
export async function startLocalStack(
  options: { log?: (line: string) => void; env?: NodeJS.ProcessEnv } = {}
): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const settings = loadSettings(env);
  const dir = stateDir(settings);
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'worker.log');
  const logStream = fs.createWriteStream(logFile, { flags: 'a' });
  installRuntime(settings, {
    ...workerRuntimeLogging({ stream: logStream, file: logFile, notice: (line) => console.error(line) }),
    // this process stops the worker, the emulator and the server together
    shutdownSignals: [],
  });

  const temporal = await ensureLocalTemporal({ env, log });
  let emulator: Emulator | undefined;
  let replicateBaseUrl = settings.REPLICATE_BASE_URL;
  if (!settings.REPLICATE_API_TOKEN && !replicateBaseUrl) {
    emulator = await startEmulator({ dataDir: path.join(dir, 'emulator') });
    replicateBaseUrl = emulator.baseUrl;
    log(`Replicate emulator at ${emulator.baseUrl} (set REPLICATE_API_TOKEN to use the hosted API).`);
  } else if (settings.REPLICATE_API_TOKEN && !replicateBaseUrl) {
    log('Scenes will call the hosted Replicate API (REPLICATE_API_TOKEN is set); they cost real money.');
  }
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: temporal.namespace });
  // this worker reads the files of the person at the keyboard, wherever they keep their plans
  const deps = activityDepsFromSettings(
    { ...settings, REPLICATE_BASE_URL: replicateBaseUrl },
    { defaultReferenceRoots: ownMachineReferenceRoots() }
  );
  const consoleServer = await startLocalConsole(client, settings, temporal.uiUrl, log);
  deps.consoleUrl = settings.SCENEGATE_CONSOLE_URL ?? consoleServer.url;

  // the emulator reaches a receiver on loopback; hosted Replicate only a public https URL someone set up
  let receiver: WebhookReceiver | undefined;
  if (settings.SCENEGATE_WEBHOOK_URL || emulator) {
    receiver = await startWebhookReceiver({
      client,
      fetchSecret: async () => (await deps.replicate.webhooks.default.secret.get()).key,
      host: settings.SCENEGATE_WEBHOOK_HOST,
      port: settings.SCENEGATE_WEBHOOK_PORT ?? 0,
      log: (level, message, fields) => Runtime.instance().logger[level](message, fields),
    });
    deps.webhookUrl = settings.SCENEGATE_WEBHOOK_URL ?? receiver.url;
    log(`Webhooks: Replicate posts prediction ends to ${deps.webhookUrl}.`);
  } else {
    log('Webhooks: off (no SCENEGATE_WEBHOOK_URL); the workflow reads predictions on timers instead.');
  }

  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  const workers = await createWorkers({
    connection: nativeConnection,
    namespace: temporal.namespace,
    taskQueue: settings.SCENEGATE_TASK_QUEUE,
    activities: createActivities(deps),
    createsPerMinute: settings.SCENEGATE_REPLICATE_CREATES_PER_MINUTE,
    maxConcurrentActivityTaskExecutions: settings.SCENEGATE_MAX_CONCURRENT_ACTIVITIES,
  });
  const running = workers.run();

  let stopped = false;
  return {
    temporal,
    emulator,
    replicateBaseUrl: replicateBaseUrl ?? 'https://api.replicate.com/v1',
    client,
    taskQueue: settings.SCENEGATE_TASK_QUEUE,
    logFile,
    storage: deps.storage,
    console: consoleServer,
    async stop() {
      if (stopped) return;
      stopped = true;
      workers.shutdown();
      await running.catch(() => undefined);
      await consoleServer.close();
      await receiver?.close();
      await connection.close();
      await nativeConnection.close();
      await emulator?.close();
      await temporal.stop();
      logStream.end();
    },
  };
}

/** The console on its configured port, or on a free one when another stack holds that port. */
async function startLocalConsole(
  client: Client,
  settings: Settings,
  uiUrl: string | undefined,
  log: (line: string) => void
): Promise<ConsoleServer> {
  const options = uiUrl ? { uiUrl } : {};
  try {
    return await startConsoleFromSettings(client, settings, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    log(`Port ${settings.SCENEGATE_CONSOLE_PORT} is taken (SCENEGATE_CONSOLE_PORT); the console takes a free one.`);
    return startConsoleFromSettings(client, settings, { ...options, port: 0 });
  }
}
