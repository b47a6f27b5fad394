/**
 * `npm test`: starts one real Temporal dev server and bundles the workflows once for the
 * whole run, then hands both to node's test runner, whose files attach to them through
 * environment variables (see test/helpers/temporal-env.ts).
 *
 *   npm test                      every test file but the cluster's
 *   npm test -- test/unit         the files under a folder, or named files
 *
 * The cluster's tests (test/cluster, `npm run test:cluster`) start their own Temporal server on
 * PostgreSQL and take minutes; they run only when named.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startDevServer } from '../devenv/dev-server';
import { projectRoot, stateDir } from '../common/paths';
import { loadSettings } from '../common/settings';
import { writeWorkflowBundle } from '../worker/bundle';
import { writeTestWorkflowBundle } from './helpers/test-bundle';
import { testEnvVars } from './helpers/test-env-vars';

const clusterTests = path.join(projectRoot, 'test', 'cluster');

function testFiles(targets: string[]): string[] {
  const found: string[] = [];
  const walk = (entry: string): void => {
    const stat = fs.statSync(entry);
    if (stat.isDirectory()) {
      for (const child of fs.readdirSync(entry).sort()) {
        const next = path.join(entry, child);
        if (child === 'fixtures' || child === 'node_modules') continue;
        if (next === clusterTests && !targets.some((t) => path.resolve(projectRoot, t).startsWith(clusterTests)))
          continue;
        walk(next);
      }
    } else if (entry.endsWith('.test.ts')) {
      found.push(path.relative(projectRoot, entry));
    }
  };
  for (const target of targets) walk(path.resolve(projectRoot, target));
  return found;
}

const files = testFiles(process.argv.slice(2).length ? process.argv.slice(2) : ['test']);
// the cluster's tests start their own server
const needsServer = files.some(
  (file) => !file.startsWith(path.join('test', 'unit')) && !file.startsWith(path.join('test', 'cluster'))
);

const runStarted = Date.now();
const env: NodeJS.ProcessEnv = { ...process.env };
let stopServer = async (): Promise<void> => undefined;
if (needsServer) {
  const server = await startDevServer({
    headless: true,
    logFile: path.join(stateDir(loadSettings()), 'test', 'temporal-server.log'),
    log: (line) => console.error(line),
  });
  stopServer = server.stop;
  const bundleStarted = Date.now();
  const testDir = path.join(stateDir(loadSettings()), 'test');
  const [{ codePath }, traced] = await Promise.all([
    writeTestWorkflowBundle(path.join(testDir, 'workflow-bundle.js')),
    writeWorkflowBundle(path.join(testDir, 'workflow-bundle-traced.js'), { traced: true }),
  ]);
  console.error(
    `# Temporal dev server ${server.address} ready in ${server.startMs} ms; workflows bundled (plain and traced) in ${Date.now() - bundleStarted} ms`
  );
  env[testEnvVars.tracedBundle] = traced.codePath;
  env[testEnvVars.address] = server.address;
  env[testEnvVars.namespace] = server.namespace;
  env[testEnvVars.bundle] = codePath;
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=420000', ...files],
  { stdio: 'inherit', env, cwd: projectRoot }
);
const forward = (signal: NodeJS.Signals): void => {
  child.kill(signal);
};
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
await stopServer();
console.error(`# test run finished in ${((Date.now() - runStarted) / 1000).toFixed(1)} s`);
process.exit(code);
