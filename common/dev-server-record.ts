import fs from 'node:fs';
import path from 'node:path';
import { stateDir } from './paths';
import type { Settings } from './settings';

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

const recordFile = (settings: Pick<Settings, 'SCENEGATE_STATE_DIR'>): string =>
  path.join(stateDir(settings), 'dev-server.json');

/** True while a process with this id runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The dev server running for this checkout (SCENEGATE_STATE_DIR), or undefined when none is. */
export function runningDevServer(settings: Pick<Settings, 'SCENEGATE_STATE_DIR'>): DevServerRecord | undefined {
  let record: DevServerRecord;
  try {
    record = JSON.parse(fs.readFileSync(recordFile(settings), 'utf8')) as DevServerRecord;
  } catch {
    return undefined;
  }
  return alive(record.pid) ? record : undefined;
}

/** Records the dev server this process started; returns a function that removes the record. */
export function recordDevServer(settings: Pick<Settings, 'SCENEGATE_STATE_DIR'>, record: DevServerRecord): () => void {
  const file = recordFile(settings);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(record));
  return () => fs.rmSync(file, { force: true });
}

/** True when two `host:port` addresses name the same local endpoint (`localhost` is `127.0.0.1`). */
export function sameAddress(a: string, b: string): boolean {
  const local = (address: string): string => address.replace(/^localhost:/, '127.0.0.1:');
  return local(a) === local(b);
}
