/**
 * `npm run cluster [-- plan.json] [--exit]`: the production topology on this machine without
 * Docker (docs/deploy.md): a Temporal server on PostgreSQL, S3-compatible storage (versitygw),
 * three production workers sharing nothing but those, the Replicate emulator, a webhook receiver
 * and the review console. Builds what the machine lacks, runs a plan end to end on it (the
 * six-scene product ad by default), prints where everything is, and stays up until Ctrl-C.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { follow } from '../client/follow';
import { loadPlanFile, newGenerationId } from '../client/load-plan';
import { resultLines } from '../client/result-lines';
import { consolePageUrl } from '../common/links';
import { projectRoot, stateDir } from '../common/paths';
import { runMain } from '../common/run-main';
import { loadSettings } from '../common/settings';
import { startFleet } from './cluster/fleet';
import { stopOnSignals } from './cluster/processes';

await runMain(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { exit: { type: 'boolean', default: false } },
  });
  const planFile = positionals[0] ?? path.join(projectRoot, 'examples', 'plans', 'product-ad.json');
  const plan = await loadPlanFile(planFile);
  plan.generationId = `cluster-${newGenerationId().slice(4)}`;
  const dir = path.join(stateDir(loadSettings()), 'cluster');
  const say = (line: string): void => console.log(line);
  say(`scenegate cluster in ${dir} (the first run on a machine builds the Temporal server and versitygw with Go).`);
  const starting = startFleet({ dir, workers: 3, log: say });
  // Ctrl-C while it starts (a first build takes minutes) stops what started
  stopOnSignals(async () => (await starting.catch(() => undefined))?.stop(), say);
  const fleet = await starting;
  const { cluster } = fleet;
  for (const tool of [cluster.tools.temporalServer, cluster.tools.versitygw]) {
    const sizes = Object.entries(tool.bytes).map(
      ([name, bytes]) => `${name} ${(Number(bytes) / 2 ** 20).toFixed(0)} MB`
    );
    say(
      `  ${path.basename(path.dirname(tool.dir))} ${path.basename(tool.dir)}: ${sizes.join(', ')}${tool.buildMs === undefined ? ' (cached)' : `, built in ${(tool.buildMs / 1000).toFixed(0)} s`}`
    );
  }
  const { postgres, temporal, objectStore } = cluster.startMs;
  say(`  started in ${postgres} ms (PostgreSQL), ${temporal} ms (Temporal), ${objectStore} ms (versitygw)`);

  const began = Date.now();
  const handle = await fleet.generations.start(plan, { baseDir: path.dirname(path.resolve(planFile)) });
  say(`\nGeneration ${handle.id} on the cluster; console ${consolePageUrl(fleet.console.url, handle.id)}`);
  const result = await follow(handle);
  say(`\nDone in ${((Date.now() - began) / 1000).toFixed(1)} s: ${result.status}`);
  for (const line of await resultLines(result, fleet.storage)) say(line);

  say(`
scenegate cluster is up:
  Temporal       ${cluster.temporal.address} (namespace ${cluster.temporal.namespace}, PostgreSQL on ${cluster.postgres.host}:${cluster.postgres.port})
  Object store   ${cluster.s3.endpoint}/${cluster.s3.bucket} (versitygw; keys in ${cluster.s3.keysFile})
  Workers        ${fleet.workers.map((w) => w.logFile).join(', ')}
  Console        ${fleet.console.url}
  Metrics        ${cluster.temporal.metricsUrl} (the Temporal server's)`);
  if (values.exit) {
    await fleet.stop();
    return;
  }
  // the secret is read from its file by the command, so it is neither printed nor kept in a terminal's scrollback
  say(`
Try: TEMPORAL_ADDRESS=${cluster.temporal.address} SCENEGATE_S3_BUCKET=${cluster.s3.bucket} SCENEGATE_S3_ENDPOINT=${cluster.s3.endpoint} SCENEGATE_S3_ACCESS_KEY_ID=${cluster.s3.accessKeyId} SCENEGATE_S3_SECRET_ACCESS_KEY="$(node -p "require('${cluster.s3.keysFile}').secretAccessKey")" npx scenegate generate examples/plans/parallel-no-gate.json --watch`);
  say('Press Ctrl-C to stop.');
  await new Promise(() => undefined);
});
