import fs from 'node:fs';
import path from 'node:path';
import { stateDir } from './paths';
import type { Settings } from './settings';

type StateSettings = Pick<Settings, 'SCENEGATE_STATE_DIR'>;

/** Reading and writing one kind of record. */
export interface ProcessRecord<T extends { pid: number }> {
  /** The recorded process, or undefined when none runs. */
  running(settings: StateSettings): T | undefined;
  /** Records this process; returns a function that removes the record, unless another process has recorded itself since. */
  write(settings: StateSettings, record: T): () => void;
}

/** True while a process with this id runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A JSON file in this checkout's state folder (SCENEGATE_STATE_DIR) naming a process that serves
 * something, so other processes find it: what `running` reads only while that process lives.
 */
export function processRecord<T extends { pid: number }>(fileName: string): ProcessRecord<T> {
  const fileOf = (settings: StateSettings): string => path.join(stateDir(settings), fileName);
  return {
    running(settings: StateSettings): T | undefined {
      let record: T;
      try {
        record = JSON.parse(fs.readFileSync(fileOf(settings), 'utf8')) as T;
      } catch {
        return undefined;
      }
      return alive(record.pid) ? record : undefined;
    },
    write(settings: StateSettings, record: T): () => void {
      const file = fileOf(settings);
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
    },
  };
}
