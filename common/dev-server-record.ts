import { processRecord } from './process-record';

/**
 * What the scenegate process that started this checkout's Temporal dev server records, so other
 * processes reuse the server (its database cannot be opened twice) and find its Web UI.
 */
export interface DevServerRecord {
  pid: number;
  /** gRPC address, `127.0.0.1:7233`. */
  address: string;
  uiUrl?: string;
  /** The SQLite file keeping its history. */
  dbFile: string;
}

const devServerRecord = processRecord<DevServerRecord>('dev-server.json');

/** The dev server running for this checkout (SCENEGATE_STATE_DIR), or undefined when none is. */
export const runningDevServer = devServerRecord.running;

/** Records the dev server this process started; the function returned removes the record. */
export const recordDevServer = devServerRecord.write;

/** True when two `host:port` addresses name the same local endpoint (`localhost` is `127.0.0.1`). */
export function sameAddress(a: string, b: string): boolean {
  const local = (address: string): string => address.replace(/^localhost:/, '127.0.0.1:');
  return local(a) === local(b);
}
