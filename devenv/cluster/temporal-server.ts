import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import YAML from 'yaml';
import { searchAttributeKeys } from '../../schema/search-attributes';
import { freePort } from '../free-port';
import type { GoTool, GoToolSpec } from '../go-tool';
import { registerSearchAttributes } from '../search-attributes';
import { dynamicConfigFile as sharedDynamicConfig } from '../server-dynamic-config';
import { runCommand, startService, type ServiceProcess } from './processes';
import { freeServicePort } from './service-port';

/** The Temporal server and its SQL schema tool, built together from one module version. */
export const temporalServerTool: GoToolSpec = {
  name: 'temporal-server',
  version: 'v1.29.1',
  packages: ['go.temporal.io/server/cmd/server', 'go.temporal.io/server/cmd/tools/sql'],
};

/**
 * The last lines of the server's JSON log as `level: msg (error)`, without the stack traces that
 * make a single line kilobytes long.
 */
function readableTail(server: ServiceProcess): string {
  return server
    .logTail()
    .split('\n')
    .slice(-8)
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
        return `${entry.level}: ${entry.msg}${entry.error ? ` (${entry.error})` : ''}`;
      } catch {
        return line.slice(0, 300);
      }
    })
    .join('\n');
}

/** The Temporal server exited, or did not answer, while starting. */
export class TemporalServerStartError extends Error {
  override readonly name = 'TemporalServerStartError';
  constructor(
    readonly reason: string,
    readonly logFile: string,
    readonly logTail: string
  ) {
    super(`The Temporal server did not become ready: ${reason}. The end of ${logFile}:\n${logTail}`);
  }
}

/** Where the server keeps its data: a PostgreSQL reachable over TCP whose user needs no password. */
export interface TemporalDatabase {
  host: string;
  port: number;
  user: string;
}

export interface StartTemporalServerOptions {
  /** Holds `config/`, the rendered server configuration, and `server.log`. */
  dir: string;
  /** The `server` and `sql` executables of {@link temporalServerTool}. */
  tool: GoTool;
  database: TemporalDatabase;
  /** Registered at the first start; `default` unless set. */
  namespace?: string;
  /** How long one start may take before it is declared failed. */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

/** A Temporal server process this process started, on PostgreSQL. */
export interface TemporalServer {
  /** The frontend's gRPC address, `127.0.0.1:<port>`. */
  address: string;
  namespace: string;
  /** The server's Prometheus metrics, `http://127.0.0.1:<port>/metrics`. */
  metricsUrl: string;
  logFile: string;
  /** Milliseconds from the call to a namespace that answers, including schema setup. */
  startMs: number;
  /** SIGKILL, as a crash would: no shutdown, nothing flushed. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts the server again on the same ports and data; resolves once it answers again. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 15 s); resolves once the process is gone. */
  stop(): Promise<void>;
}

const host = '127.0.0.1';
const services = ['frontend', 'history', 'matching', 'worker'] as const;
const databases = { temporal: 'postgresql/v12/temporal', temporal_visibility: 'postgresql/v12/visibility' } as const;
// three days of closed workflows: enough to read a scale-out run's histories afterwards
const retention = '3 days';

/**
 * Creates each database and brings its schema to the newest version the binary embeds, as
 * Temporal's Makefile does. All three steps are idempotent in the schema tool (an existing
 * database is kept, `setup-schema -v 0.0` skips a newer schema, `update-schema` applies only
 * missing versions), so a folder started again runs them all too.
 */
async function setUpSchemas(sqlTool: string, db: TemporalDatabase, logFile: string, log: (line: string) => void) {
  for (const [database, schema] of Object.entries(databases)) {
    const sql = (...args: string[]): Promise<string> =>
      runCommand(
        sqlTool,
        ['--ep', db.host, '-p', String(db.port), '-u', db.user, '--pl', 'postgres12', '--db', database, ...args],
        { logFile }
      );
    await sql('create-database');
    await sql('setup-schema', '-v', '0.0');
    await sql('update-schema', '-s', schema);
    log(`Temporal: database ${database} at the newest ${schema} schema`);
  }
}

interface Ports {
  frontend: number;
  history: number;
  matching: number;
  worker: number;
  membership: Record<(typeof services)[number], number>;
  metrics: number;
}

async function choosePorts(): Promise<Ports> {
  const taken = new Set<number>();
  const membership = {} as Ports['membership'];
  for (const service of services) membership[service] = await freeServicePort(host, taken);
  return {
    frontend: await freeServicePort(host, taken),
    history: await freeServicePort(host, taken),
    matching: await freeServicePort(host, taken),
    worker: await freeServicePort(host, taken),
    membership,
    metrics: await freePort(host),
  };
}

/**
 * The server's configuration: the shape of the module's config/development-postgres12.yaml, with
 * all four services in one process on 127.0.0.1, free ports, and no archival.
 */
function serverConfig(db: TemporalDatabase, ports: Ports, dynamicConfigFile: string): unknown {
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${db.host}:${db.port}`,
      connectProtocol: 'tcp',
      user: db.user,
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true },
  });
  return {
    log: { stdout: true, level: 'info' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      // a handful of shards is plenty for one machine; the number can never change once the database exists
      numHistoryShards: 4,
      datastores: {
        'postgres-default': datastore('temporal', 20),
        'postgres-visibility': datastore('temporal_visibility', 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: host },
      metrics: {
        prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `${host}:${ports.metrics}` },
      },
    },
    services: {
      frontend: rpc(ports.frontend, ports.membership.frontend),
      history: rpc(ports.history, ports.membership.history),
      matching: rpc(ports.matching, ports.membership.matching),
      worker: rpc(ports.worker, ports.membership.worker),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `${host}:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

async function connectOnce<T>(address: string, use: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}

/** A visibility query naming each of scenegate's search attributes: it succeeds once the frontend knows them all. */
const searchAttributesQuery = searchAttributeKeys.map((key) => `${key.name} IS NULL`).join(' AND ');

/**
 * Polls until `ready` succeeds, giving up when the process exits or the time runs out. A fresh
 * server answers gRPC before its namespace cache has caught up, hence a check that uses the namespace.
 */
async function waitUntilReady(server: ServiceProcess, timeoutMs: number, ready: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!server.running())
      throw new TemporalServerStartError('the process exited', server.logFile, readableTail(server));
    try {
      await ready();
      return;
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new TemporalServerStartError(
    `no answer within ${timeoutMs / 1000} s (last error: ${String(lastError)})`,
    server.logFile,
    readableTail(server)
  );
}

/**
 * Starts the Temporal server on PostgreSQL: schemas set up or updated, configuration written,
 * the four services in one process, namespace registered, scenegate's search attributes added.
 * The process runs in a group of its own and is killed if this process exits without `stop()`.
 *
 * @throws CommandFailedError from the schema tool; TemporalServerStartError with the server's log.
 */
export async function startTemporalServer(options: StartTemporalServerOptions): Promise<TemporalServer> {
  const log = options.log ?? (() => undefined);
  const began = Date.now();
  const namespace = options.namespace ?? 'default';
  const timeoutMs = options.startTimeoutMs ?? 180_000;
  const dir = path.resolve(options.dir);
  const configDir = path.join(dir, 'config');
  const logFile = path.join(dir, 'server.log');
  const { server, sql } = options.tool.executables;
  if (!server || !sql) throw new Error(`the Temporal server tool lacks server or sql: ${options.tool.dir}`);
  fs.mkdirSync(configDir, { recursive: true });

  await setUpSchemas(sql, options.database, path.join(dir, 'schema.log'), log);

  const ports = await choosePorts();
  const dynamicConfigFile = path.join(configDir, 'dynamic-config.yaml');
  fs.copyFileSync(sharedDynamicConfig, dynamicConfigFile);
  // the server reads `<root>/<config>/<env>.yaml`; v1.29 has no flag naming a single file
  fs.writeFileSync(
    path.join(configDir, 'development.yaml'),
    YAML.stringify(serverConfig(options.database, ports, dynamicConfigFile))
  );
  const address = `${host}:${ports.frontend}`;

  const launch = (): ServiceProcess =>
    startService(server, ['--root', dir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'], {
      cwd: dir,
      logFile,
    });
  const answersForNamespace = (): Promise<unknown> =>
    connectOnce(address, (connection) =>
      connection.workflowService.countWorkflowExecutions({ namespace, query: searchAttributesQuery })
    );

  let serverProcess = launch();
  try {
    await waitUntilReady(serverProcess, timeoutMs, () =>
      connectOnce(address, (connection) => connection.workflowService.getSystemInfo({}))
    );
    await connectOnce(address, async (connection) => {
      try {
        await connection.workflowService.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs(retention),
        });
        log(`Temporal: namespace ${namespace} registered`);
      } catch (err) {
        if ((err as { code?: number }).code !== 6 /* ALREADY_EXISTS: a restart on the same data */) throw err;
      }
    });
    // retried: adding search attributes fails until the frontend's namespace cache (refreshed every 2 s) has the namespace
    await waitUntilReady(serverProcess, timeoutMs, () =>
      connectOnce(address, (connection) => registerSearchAttributes(connection, namespace))
    );
    await waitUntilReady(serverProcess, timeoutMs, answersForNamespace);
  } catch (err) {
    await serverProcess.stop();
    throw err;
  }
  log(`Temporal server on ${address}, namespace ${namespace} (log ${logFile})`);

  return {
    address,
    namespace,
    metricsUrl: `http://${host}:${ports.metrics}/metrics`,
    logFile,
    startMs: Date.now() - began,
    kill: async () => {
      serverProcess.signal('SIGKILL');
      await serverProcess.exited;
    },
    restart: async () => {
      if (serverProcess.running())
        throw new Error('restart() needs the Temporal server stopped first: call kill() or stop()');
      serverProcess = launch();
      try {
        await waitUntilReady(serverProcess, timeoutMs, answersForNamespace);
      } catch (err) {
        await serverProcess.stop();
        throw err;
      }
    },
    stop: () => serverProcess.stop(15_000),
  };
}
