/**
 * `npm run dev`: starts (or reuses) the dev server, the emulator and a worker, prints where they
 * are, and stays up until Ctrl-C, so generations can be started from the scenegate CLI, the
 * `temporal` CLI or code, and watched in the Web UI. Respects TEMPORAL_ADDRESS and REPLICATE_BASE_URL.
 */
import { startLocalStack } from './local-stack';
import { runMain } from '../common/run-main';

await runMain(async () => {
  const stack = await startLocalStack({ log: (line) => console.log(line) });
  console.log(`
scenegate dev stack is up:
  Temporal       ${stack.temporal.address} (namespace ${stack.temporal.namespace})
  Web UI         ${stack.temporal.uiUrl ?? 'see your Temporal deployment'}
  Console        ${stack.console.url}   (review gates, approve, raise budgets, retry scenes)
  Replicate      ${stack.replicateBaseUrl}${stack.emulator ? ' (emulator)' : ''}
  Task queue     ${stack.taskQueue}
  Worker log     ${stack.logFile}

Try: npx scenegate generate examples/plans/product-ad.json --watch
     npx scenegate temporal workflow list    (the Temporal CLI)
     Both find this server while no TEMPORAL_ADDRESS is set.
Press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('stopping...');
  await stack.stop();
});
