import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A command the cluster runs to completion (initdb, pg_ctl, the SQL schema tool) failed. */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
  constructor(
    readonly command: string,
    /** What happened: `exited with 1`, `was killed by SIGKILL`, `could not be started (spawn x ENOENT)`. */
    readonly outcome: string,
    readonly outputTail: string
  ) {
    super(`\`${command}\` ${outcome}.${outputTail ? ` Last lines of its output:\n${outputTail}` : ''}`);
  }
}

export interface RunCommandOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Appends the command line and its output here, so a failed start can be read afterwards. */
  logFile?: string;
}

function lastLines(text: string, count = 15): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/**
 * Runs a command to completion and returns its combined output.
 *
 * @throws CommandFailedError naming the command, its exit code and the end of its output.
 */
export function runCommand(cmd: string, args: readonly string[], options: RunCommandOptions = {}): Promise<string> {
  const commandLine = [cmd, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) =>
      reject(new CommandFailedError(commandLine, `could not be started (${err.message})`, ''))
    );
    child.on('close', (code, signal) => {
      if (options.logFile) fs.appendFileSync(options.logFile, `$ ${commandLine}\n${output}\n`);
      if (code === 0) resolve(output);
      else {
        const outcome = code === null ? `was killed by ${signal}` : `exited with ${code}`;
        reject(new CommandFailedError(commandLine, outcome, lastLines(output)));
      }
    });
  });
}

/** A long-running child in a process group of its own, writing straight to a log file. */
export interface ServiceProcess {
  pid: number;
  logFile: string;
  running(): boolean;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** Sends a signal to the whole process group. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** The end of the log file, for error messages. */
  logTail(): string;
}

const exitHooks = new Set<() => void>();

/**
 * Runs `hook` (synchronous: the event loop is over) when this process exits, whatever ends it:
 * a thrown error, process.exit, the end of a test file. Signals end Node without exit hooks, so
 * entry points turn SIGINT and SIGTERM into the cluster's `stop()`. Returns a function that
 * removes the hook.
 */
export function atExit(hook: () => void): () => void {
  if (exitHooks.size === 0) process.once('exit', runExitHooks);
  exitHooks.add(hook);
  return () => {
    exitHooks.delete(hook);
    if (exitHooks.size === 0) process.removeListener('exit', runExitHooks);
  };
}

function runExitHooks(): void {
  for (const hook of exitHooks) hook();
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

/**
 * Starts a service in a process group of its own (so its helpers die with it, and a terminal's
 * Ctrl-C reaches the entry point first, which stops services in order). stdout and stderr go
 * straight to `logFile`, so the service never blocks on a parent that stopped reading.
 */
export function startService(
  cmd: string,
  args: readonly string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string }
): ServiceProcess {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const fd = fs.openSync(options.logFile, 'a');
  fs.writeSync(fd, `\n$ ${[cmd, ...args].join(' ')}   # ${new Date().toISOString()}\n`);
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, { env: options.env, cwd: options.cwd, detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  const removeExitHook = atExit(() => killGroup(child, 'SIGKILL'));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  void exited.then(removeExitHook);
  const running = (): boolean => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid ?? -1,
    logFile: options.logFile,
    running,
    exited,
    signal: (signal) => killGroup(child, signal),
    stop: async (graceMs = 10_000) => {
      if (!running()) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    logTail: () => {
      try {
        return lastLines(fs.readFileSync(options.logFile, 'utf8').slice(-8000));
      } catch {
        return '';
      }
    },
  };
}

/**
 * For entry points: on SIGINT or SIGTERM, runs `stop` (ending the services in order, which the
 * exit hooks alone cannot do: a signal ends Node before they run), then exits with 128 + the
 * signal's number. A second signal while stopping exits at once, and the exit hooks kill what is left.
 */
export function stopOnSignals(stop: () => Promise<void>, log: (line: string) => void = () => undefined): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const code = 128 + (signal === 'SIGINT' ? 2 : 15);
    if (stopping) process.exit(code);
    stopping = true;
    log(`${signal}: stopping...`);
    stop().then(
      () => process.exit(code),
      (err: unknown) => {
        log(`stopping failed: ${String(err)}`);
        process.exit(code);
      }
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
