/**
 * `scenegate temporal <args...>`: the Temporal CLI scenegate found or built (temporal-cli.ts),
 * run with the remaining arguments on this terminal; its exit code is scenegate's. With no
 * Temporal address configured it talks to the dev server `npm run dev` runs for this checkout.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { runMain } from '../common/run-main';
import { withLocalDevServer } from '../common/temporal-connection';
import { findTemporalCli } from './temporal-cli';

async function runTemporalCli(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const cli = await findTemporalCli({ env });
  const child = spawn(cli, args, { stdio: 'inherit', env: withLocalDevServer(env) });
  // Ctrl-C reaches the CLI too, which decides what it means; we only wait for it to exit
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
    });
  } finally {
    process.removeListener('SIGINT', ignore);
  }
}

await runMain(() => runTemporalCli(process.argv.slice(3), process.env));
