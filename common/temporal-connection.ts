import { Client, Connection } from '@temporalio/client';
import type { NamespaceNotFoundError } from '@temporalio/common';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { runningDevServer } from './dev-server-record';
import { loadSettings } from './settings';

/** Temporal could not be reached or the connection settings were invalid. */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

/**
 * Where to connect, from @temporalio/envconfig: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS*, or a TOML profile, so Temporal Cloud (API key or
 * mTLS) works without code changes. `address` overrides the configured address.
 */
export function connectionConfig(env: NodeJS.ProcessEnv = process.env): ReturnType<typeof loadClientConnectConfig> {
  try {
    const config = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
    config.connectionOptions.address ??= 'localhost:7233';
    return config;
  } catch (err) {
    throw new TemporalUnreachableError(`invalid Temporal connection settings: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * The Temporal server the environment names (TEMPORAL_ADDRESS or a profile), or no address
 * when none is configured and a local dev server may be started instead.
 */
export function configuredTemporal(env: NodeJS.ProcessEnv = process.env): {
  address?: string;
  namespace: string;
  /** True when an API key authenticates the connection (Temporal Cloud and the like). */
  usesApiKey: boolean;
} {
  const config = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
  return {
    address: config.connectionOptions.address,
    namespace: config.namespace ?? 'default',
    usesApiKey: config.connectionOptions.apiKey !== undefined,
  };
}

/**
 * The environment, with this checkout's running dev server (`npm run dev`, on whatever port the
 * settings chose) as TEMPORAL_ADDRESS when no server is configured.
 */
export function withLocalDevServer(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  try {
    if (configuredTemporal(env).address) return env;
  } catch {
    // invalid connection settings: connecting reports them, in its words and with its exit code
    return env;
  }
  const devServer = runningDevServer(loadSettings(env));
  return devServer ? { ...env, TEMPORAL_ADDRESS: devServer.address } : env;
}

/** Connects a client as configured by the environment. */
export async function connectClient(env: NodeJS.ProcessEnv = process.env): Promise<Client> {
  const { connectionOptions, namespace } = connectionConfig(env);
  try {
    const connection = await Connection.connect({ ...connectionOptions, connectTimeout: '5s' });
    return new Client({ connection, namespace: namespace ?? 'default' });
  } catch (err) {
    throw new TemporalUnreachableError(
      `cannot reach Temporal at ${connectionOptions.address}: ${(err as Error).message}`,
      { cause: err }
    );
  }
}

/** A namespace the server does not have, as one sentence naming the setting to change. */
export function namespaceNotFound(err: NamespaceNotFoundError): TemporalUnreachableError {
  return new TemporalUnreachableError(
    `the Temporal server has no namespace "${err.namespace}"; set TEMPORAL_NAMESPACE (or the profile's namespace) to one it has`,
    { cause: err }
  );
}
