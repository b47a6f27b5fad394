/**
 * The `scenegate` command: start, watch and operate generations (`scenegate --help`; the
 * commands are in cli-program.ts, the exit codes in common/run-main.ts ExitCode).
 */
import { runMain } from '../common/run-main';
import { runCli } from './cli-program';

await runMain(() => runCli(process.argv.slice(2)));
