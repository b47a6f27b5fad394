import fs from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on every Linux this runs on). */
const TICKS_PER_SEC = 100;

/**
 * CPU seconds this process has used, with those of its finished children (the ffmpeg that
 * decodes frames) on Linux; elsewhere this process's own only.
 */
export function cpuSecondsWithChildren(): number {
  try {
    // fields after the command name (which may hold spaces, so split after its closing parenthesis)
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // utime, stime, cutime, cstime are fields 14-17 of the line: indexes 11-14 after the name (field 3 is index 0)
    return fields.slice(11, 15).reduce((sum, v) => sum + Number(v), 0) / TICKS_PER_SEC;
  } catch {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  }
}
