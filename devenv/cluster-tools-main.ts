/**
 * `npm run cluster-tools`: finds, or builds once per machine into the user's cache, the Go
 * programs the S3 tests and the cluster run (versitygw, the Temporal server and its SQL tool),
 * and prints where they are.
 */
import { runMain } from '../common/run-main';
import { findOrBuildClusterTools } from './cluster/cluster';

await runMain(async () => {
  const tools = await findOrBuildClusterTools({ log: (line) => console.log(line) });
  for (const tool of [tools.versitygw, tools.temporalServer]) {
    const sizes = Object.entries(tool.bytes).map(([name, b]) => `${name} ${(b / 2 ** 20).toFixed(0)} MB`);
    const built = tool.buildMs === undefined ? 'cached' : `built in ${(tool.buildMs / 1000).toFixed(0)} s`;
    console.log(`${tool.dir}: ${sizes.join(', ')} (${built})`);
  }
});
