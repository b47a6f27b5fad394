import { NativeConnection } from '@temporalio/worker';
import { connectionConfig, TemporalUnreachableError } from '../common/temporal-connection';

/** Connects a worker's native connection as configured by the environment (see `connectionConfig`). */
export async function connectWorker(
  env: NodeJS.ProcessEnv = process.env
): Promise<{ connection: NativeConnection; namespace: string }> {
  const { connectionOptions, namespace } = connectionConfig(env);
  try {
    const connection = await NativeConnection.connect(connectionOptions);
    return { connection, namespace: namespace ?? 'default' };
  } catch (err) {
    throw new TemporalUnreachableError(
      `cannot reach Temporal at ${connectionOptions.address}: ${(err as Error).message}`,
      {
        cause: err,
      }
    );
  }
}
