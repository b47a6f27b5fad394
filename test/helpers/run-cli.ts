import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../common/paths';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command still running: its process, its output so far, and its end. */
export interface RunningCommand {
  child: ChildProcess;
  /** What it has printed so far. */
  output(): Omit<CliRun, 'code'>;
  done: Promise<CliRun>;
}

/** Starts a command, capturing its output. */
export function startCommand(command: string, args: string[], env: NodeJS.ProcessEnv = {}): RunningCommand {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return { child, output: () => ({ stdout, stderr }), done };
}

/** Runs a command to completion, capturing its output. */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return startCommand(command, args, env).done;
}

/** Starts the `scenegate` executable (bin/scenegate.js) as a user would. */
export function startScenegate(args: string[], env: NodeJS.ProcessEnv = {}): RunningCommand {
  return startCommand(process.execPath, [path.join(projectRoot, 'bin', 'scenegate.js'), ...args], env);
}

/** Runs the `scenegate` executable (bin/scenegate.js) as a user would. */
export function scenegate(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return startScenegate(args, env).done;
}
