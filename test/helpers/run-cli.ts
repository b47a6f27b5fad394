import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../common/paths';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing its output. */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the `scenegate` executable (bin/scenegate.js) as a user would. */
export function scenegate(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCommand(process.execPath, [path.join(projectRoot, 'bin', 'scenegate.js'), ...args], env);
}
