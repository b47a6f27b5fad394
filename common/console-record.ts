import fs from 'node:fs';
import path from 'node:path';
import { alive } from './dev-server-record';
import { stateDir } from './paths';
import type { Settings } from './settings';

/**
 * The review console serving this checkout (`npm run dev`, `npm start` or `scenegate console`),
 * recorded where it really listens: with its port taken, `npm run dev` takes a free one, and a
 * link to the default port could open another project's console.
 */
export interface ConsoleRecord {
  pid: number;
  /** `http://127.0.0.1:8240`, or SCENEGATE_CONSOLE_URL when the console is reached through it. */
  url: string;
}

const recordFile = (settings: Pick<Settings, 'SCENEGATE_STATE_DIR'>): string =>
  path.join(stateDir(settings), 'console.json');

/** The console running for this checkout (SCENEGATE_STATE_DIR), or undefined when none is. */
export function runningConsole(settings: Pick<Settings, 'SCENEGATE_STATE_DIR'>): ConsoleRecord | undefined {
  let record: ConsoleRecord;
  try {
    record = JSON.parse(fs.readFileSync(recordFile(settings), 'utf8')) as ConsoleRecord;
  } catch {
    return undefined;
  }
  return alive(record.pid) ? record : undefined;
}

/**
 * Records the console this process serves; returns a function that removes the record, unless
 * another console has recorded itself since.
 */
export function recordConsole(settings: Pick<Settings, 'SCENEGATE_STATE_DIR'>, record: ConsoleRecord): () => void {
  const file = recordFile(settings);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = JSON.stringify(record);
  fs.writeFileSync(file, text);
  return () => {
    try {
      if (fs.readFileSync(file, 'utf8') === text) fs.rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}
