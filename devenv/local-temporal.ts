import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { startDevServer, waitForTemporal } from './dev-server';
import { freePort, isListening } from './free-port';
import { stateDir } from '../common/paths';
import { loadSettings } from '../common/settings';
import { configuredTemporal } from '../common/temporal-connection';
import { registerSearchAttributes } from './search-attributes';

/** A Temporal server to use: one this process started, or one that was already running. */
export interface LocalTemporal {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** True when this process started the server (and `stop` stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

interface RunningServerRecord {
  pid: number;
  address: string;
  uiUrl?: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function portOr(preferred: number): Promise<number> {
  return (await isListening('127.0.0.1', preferred)) ? freePort() : preferred;
}

/**
 * The persistent local server for `npm start` and `npm run dev`: the one at TEMPORAL_ADDRESS
 * when set; else the one another scenegate process started on this checkout (its database
 * cannot be opened twice); else a new `temporal server start-dev` on ports 7233/8233 (or free
 * ones when those are taken), keeping its history in .scenegate/temporal.db.
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

  const dir = stateDir(settings);
  const file = path.join(dir, 'dev-server.json');
  if (fs.existsSync(file)) {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as RunningServerRecord;
    if (alive(record.pid)) {
      await waitForTemporal(record.address, namespace, 10_000);
      log(`Using the Temporal dev server already running at ${record.address} (pid ${record.pid}).`);
      return { address: record.address, namespace, uiUrl: record.uiUrl, owned: false, stop: async () => undefined };
    }
    fs.rmSync(file, { force: true });
  }

  const server = await startDevServer({
    port: await portOr(7233),
    uiPort: await portOr(8233),
    dbFile: path.join(dir, 'temporal.db'),
    logFile: path.join(dir, 'temporal-server.log'),
    log,
  });
  fs.writeFileSync(
    file,
    JSON.stringify({ pid: server.pid, address: server.address, uiUrl: server.uiUrl } satisfies RunningServerRecord)
  );
  log(
    `Temporal dev server started at ${server.address} in ${(server.startMs / 1000).toFixed(1)} s (history in ${path.join(dir, 'temporal.db')}).`
  );
  return {
    address: server.address,
    namespace,
    uiUrl: server.uiUrl,
    owned: true,
    stop: async () => {
      fs.rmSync(file, { force: true });
      await server.stop();
    },
  };
}
