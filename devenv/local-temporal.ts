import path from 'node:path';
import { Connection } from '@temporalio/client';
import { startDevServer, waitForTemporal } from './dev-server';
import { freePort, isListening } from './free-port';
import { recordDevServer, runningDevServer } from '../common/dev-server-record';
import { stateDir } from '../common/paths';
import { loadSettings } from '../common/settings';
import { configuredTemporal } from '../common/temporal-connection';
import { registerSearchAttributes } from './search-attributes';

/** A Temporal server to use: one this process started, or one that was already running. */
export interface LocalTemporal {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** The SQLite file keeping a scenegate dev server's history; unset for a server configured elsewhere. */
  dbFile?: string;
  /** True when this process started the server (and `stop` stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

/** The preferred port, or a free one when it is 0 or another process holds it (said in the log). */
async function portOr(preferred: number, what: string, log: (line: string) => void): Promise<number> {
  if (preferred === 0) return freePort();
  if (!(await isListening('127.0.0.1', preferred))) return preferred;
  const port = await freePort();
  log(`Port ${preferred} is taken; the dev server's ${what} uses ${port} instead.`);
  return port;
}

/**
 * The persistent local server for `npm start` and `npm run dev`: the one at TEMPORAL_ADDRESS
 * when set; else the one another scenegate process started on this checkout (its database
 * cannot be opened twice); else a new `temporal server start-dev` on ports
 * SCENEGATE_TEMPORAL_PORT and SCENEGATE_TEMPORAL_UI_PORT (7233 and 8233; free ones when those
 * are taken), keeping its history in temporal.db under SCENEGATE_STATE_DIR.
 */
export async function ensureLocalTemporal(
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}
): Promise<LocalTemporal> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const settings = loadSettings(env);
  const configured = configuredTemporal(env);
  const namespace = configured.namespace;
  const register = async (address: string): Promise<void> => {
    const connection = await Connection.connect({ address });
    try {
      await registerSearchAttributes(connection, namespace);
    } finally {
      await connection.close();
    }
  };

  if (configured.address) {
    await waitForTemporal(configured.address, namespace, 10_000);
    // a remote or Cloud server registers attributes through its operators, not us
    if (!configured.usesApiKey) await register(configured.address).catch(() => undefined);
    return {
      address: configured.address,
      namespace,
      uiUrl: settings.TEMPORAL_UI_URL,
      owned: false,
      stop: async () => undefined,
    };
  }

  const running = runningDevServer(settings);
  if (running) {
    await waitForTemporal(running.address, namespace, 10_000);
    log(`Using the Temporal dev server already running at ${running.address} (pid ${running.pid}).`);
    const { address, uiUrl, dbFile } = running;
    return { address, namespace, uiUrl, dbFile, owned: false, stop: async () => undefined };
  }

  const dir = stateDir(settings);
  const dbFile = path.join(dir, 'temporal.db');
  const server = await startDevServer({
    port: await portOr(settings.SCENEGATE_TEMPORAL_PORT ?? 7233, 'gRPC frontend', log),
    uiPort: await portOr(settings.SCENEGATE_TEMPORAL_UI_PORT ?? 8233, 'Web UI', log),
    dbFile,
    logFile: path.join(dir, 'temporal-server.log'),
    log,
  });
  const forget = recordDevServer(settings, { pid: server.pid, address: server.address, uiUrl: server.uiUrl, dbFile });
  log(
    `Temporal dev server started at ${server.address} in ${(server.startMs / 1000).toFixed(1)} s (history in ${dbFile}).`
  );
  return {
    address: server.address,
    namespace,
    uiUrl: server.uiUrl,
    dbFile,
    owned: true,
    stop: async () => {
      forget();
      await server.stop();
    },
  };
}
