import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { childEnv } from './child-env';
import { freePort } from './free-port';
import { dynamicConfigFlags } from './server-dynamic-config';
import { registerSearchAttributes, searchAttributeFlags } from './search-attributes';
import { findTemporalCli } from './temporal-cli';

export interface DevServerOptions {
  /** A `temporal` executable; found or built with `findTemporalCli` when unset. */
  cliPath?: string;
  ip?: string;
  /** gRPC port; a free one when unset. */
  port?: number;
  /** Web UI port; a free one when unset. Ignored when `headless`. */
  uiPort?: number;
  headless?: boolean;
  /** Persistent SQLite file. Unset means an in-memory database, gone when the server stops. */
  dbFile?: string;
  namespace?: string;
  /** Where the server's own output goes; discarded when unset. */
  logFile?: string;
  /** How long a start may take before it is declared failed. A first start on 2 cores takes seconds. */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

/** A running dev server this process started. */
export interface DevServer {
  address: string;
  namespace: string;
  /** Web UI base URL, unless headless. */
  uiUrl?: string;
  pid: number;
  /** Milliseconds from spawn to a namespace that answers. */
  startMs: number;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** The server process exited, or did not answer, during start. */
class DevServerStartError extends Error {
  override readonly name = 'DevServerStartError';
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Polls a Temporal frontend until the namespace answers, or fails after `timeoutMs`.
 * `stillRunning` lets a caller that owns the process stop waiting as soon as it dies.
 */
export async function waitForTemporal(
  address: string,
  namespace: string,
  timeoutMs: number,
  stillRunning: () => boolean = () => true
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && stillRunning()) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await connection?.close();
    }
  }
  const why = stillRunning() ? `no answer within ${timeoutMs} ms` : 'the server process exited';
  throw new DevServerStartError(`Temporal at ${address} did not become ready: ${why} (${String(lastError)})`);
}

/**
 * Starts `temporal server start-dev` and returns once its namespace answers and
 * scenegate's search attributes are registered. We start the process ourselves rather
 * than through the SDK's createLocal, which gives a server only 5 s.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const log = options.log ?? (() => undefined);
  const cliPath = options.cliPath ?? (await findTemporalCli({ log }));
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? (await freePort(ip));
  const namespace = options.namespace ?? 'default';
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
    ...dynamicConfigFlags(),
    ...searchAttributeFlags(),
  ];
  let uiUrl: string | undefined;
  if (options.headless) {
    args.push('--headless');
  } else {
    const uiPort = options.uiPort ?? (await freePort(ip));
    args.push('--ui-port', String(uiPort));
    uiUrl = `http://${ip}:${uiPort}`;
  }
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }

  const began = Date.now();
  let output: fs.WriteStream | undefined;
  if (options.logFile) {
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    output = fs.createWriteStream(options.logFile, { flags: 'a' });
  }
  const child = spawn(cliPath, args, { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderrTail = '';
  child.stdout.on('data', (chunk: Buffer) => output?.write(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    output?.write(chunk);
    stderrTail = (stderrTail + chunk.toString()).slice(-2000);
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => undefined);
  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  const stop = async (): Promise<void> => {
    if (running()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    }
    output?.end();
  };
  // a parent that exits without stopping us must not leave the server behind
  const killOnExit = (): void => {
    if (running()) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const address = `${ip}:${port}`;
  try {
    await Promise.race([waitForTemporal(address, namespace, options.startTimeoutMs ?? 60_000, running), spawnError]);
    const connection = await Connection.connect({ address });
    try {
      await registerSearchAttributes(connection, namespace);
    } finally {
      await connection.close();
    }
  } catch (err) {
    await stop();
    process.removeListener('exit', killOnExit);
    const detail = stderrTail.trim() ? ` Server output: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : '';
    throw new DevServerStartError(`${(err as Error).message}.${detail}`, { cause: err });
  }
  return {
    address,
    namespace,
    uiUrl,
    pid: child.pid ?? -1,
    startMs: Date.now() - began,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await stop();
    },
  };
}
