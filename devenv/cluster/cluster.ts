import path from 'node:path';
import { findOrBuildGoTool, type GoTool } from '../go-tool';
import { startObjectStore, versitygwTool, type S3Endpoint } from './object-store';
import { startPostgres } from './postgres';
import { startTemporalServer, temporalServerTool } from './temporal-server';

export interface ClusterToolsOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** The Go programs a cluster runs, from the user's cache. */
export interface ClusterTools {
  temporalServer: GoTool;
  versitygw: GoTool;
}

/**
 * Finds the cluster's Go programs in the user's cache, building the missing ones there (one at a
 * time: a Temporal server build alone keeps two cores busy for many minutes).
 *
 * @throws GoToolBuildError naming the tool and the end of Go's output.
 */
export async function findOrBuildClusterTools(options: ClusterToolsOptions = {}): Promise<ClusterTools> {
  const versitygw = await findOrBuildGoTool(versitygwTool, options);
  const temporalServer = await findOrBuildGoTool(temporalServerTool, options);
  return { temporalServer, versitygw };
}

export interface StartClusterOptions extends ClusterToolsOptions {
  /** The cluster's own folder: `postgres/`, `temporal/` and `s3/` with their data and logs. Reused when it holds them. */
  dir: string;
  /** `default` unless set. */
  namespace?: string;
  /** `scenegate` unless set. */
  bucket?: string;
}

/** The Temporal server of a cluster, with the controls a crash test needs. */
export interface ClusterTemporal {
  /** `127.0.0.1:<port>`, for `Connection.connect` or TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  metricsUrl: string;
  logFile: string;
  /** SIGKILL to the server process, as a crash would. */
  kill(): Promise<void>;
  /** Starts the server again on the same ports and data; resolves once it answers. */
  restart(): Promise<void>;
}

/** A running cluster: Temporal on PostgreSQL, and S3-compatible object storage, all on 127.0.0.1. */
export interface Cluster {
  dir: string;
  temporal: ClusterTemporal;
  s3: S3Endpoint & {
    /** Where the secret key is kept, to name instead of printing it. */
    keysFile: string;
  };
  postgres: { host: string; port: number; user: string; logFile: string };
  tools: ClusterTools;
  /** Milliseconds each part took to start, builds excluded. */
  startMs: { postgres: number; temporal: number; objectStore: number };
  /** Stops versitygw, the Temporal server and PostgreSQL, in that order, and waits for each. */
  stop(): Promise<void>;
}

/** One or more of the cluster's processes did not stop cleanly; `errors` holds each failure. */
export class ClusterStopError extends AggregateError {
  override readonly name = 'ClusterStopError';
}

/** Runs the stops last-started first, one at a time (Temporal must go before its database), trying every one. */
async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const stop of [...stops].reverse()) {
    try {
      await stop();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length)
    throw new ClusterStopError(errors, `stopping the cluster failed: ${errors.map(String).join('; ')}`);
}

/**
 * Starts a Temporal cluster on this machine without Docker: PostgreSQL in `<dir>/postgres`, the
 * Temporal server (frontend, history, matching and worker in one process) in `<dir>/temporal`, and
 * versitygw in `<dir>/s3`, each on free 127.0.0.1 ports. Builds the Go programs first if the
 * machine has none. Every process is stopped by `stop()`, and killed if this process exits
 * without it; entry points should call `stop()` on SIGINT and SIGTERM.
 *
 * @throws whatever part failed to start (each error names its log), after stopping the parts already started.
 */
export async function startCluster(options: StartClusterOptions): Promise<Cluster> {
  const log = options.log ?? (() => undefined);
  const dir = path.resolve(options.dir);
  const tools = await findOrBuildClusterTools(options);
  const stops: (() => Promise<void>)[] = [];
  try {
    const postgres = await startPostgres({ dir: path.join(dir, 'postgres'), log });
    stops.push(postgres.stop);
    const temporal = await startTemporalServer({
      dir: path.join(dir, 'temporal'),
      tool: tools.temporalServer,
      database: postgres,
      namespace: options.namespace,
      log,
    });
    stops.push(temporal.stop);
    const versitygw = tools.versitygw.executables.versitygw;
    if (!versitygw) throw new Error(`no versitygw executable in ${tools.versitygw.dir}`);
    const objectStore = await startObjectStore({
      dir: path.join(dir, 's3'),
      executable: versitygw,
      bucket: options.bucket,
      log,
    });
    stops.push(objectStore.stop);
    return {
      dir,
      temporal: {
        address: temporal.address,
        namespace: temporal.namespace,
        metricsUrl: temporal.metricsUrl,
        logFile: temporal.logFile,
        kill: temporal.kill,
        restart: temporal.restart,
      },
      s3: {
        endpoint: objectStore.endpoint,
        bucket: objectStore.bucket,
        region: objectStore.region,
        accessKeyId: objectStore.accessKeyId,
        secretAccessKey: objectStore.secretAccessKey,
        keysFile: objectStore.keysFile,
      },
      postgres: { host: postgres.host, port: postgres.port, user: postgres.user, logFile: postgres.logFile },
      tools,
      startMs: { postgres: postgres.startMs, temporal: temporal.startMs, objectStore: objectStore.startMs },
      stop: () => stopAll(stops),
    };
  } catch (err) {
    await stopAll(stops).catch(() => undefined);
    throw err;
  }
}
