/** `npm run temporal-cli`: finds or builds the Temporal CLI and prints its path. */
import { findTemporalCli } from './temporal-cli';

try {
  const started = Date.now();
  const cli = await findTemporalCli({ log: (line) => console.error(line) });
  console.log(cli);
  console.error(`Temporal CLI ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(`scenegate: ${(err as Error).message}`);
  process.exitCode = 1;
}
