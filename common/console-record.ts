import { processRecord } from './process-record';

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

const consoleRecord = processRecord<ConsoleRecord>('console.json');

/** The console running for this checkout (SCENEGATE_STATE_DIR), or undefined when none is. */
export const runningConsole = consoleRecord.running;

/** Records the console this process serves; the function returned removes the record. */
export const recordConsole = consoleRecord.write;
