/**
 * `npm run dev` and `npm start` as a newcomer sees them: the dev server on the ports the settings
 * choose, its real history file, no build announced when none happens, no raw Rust-core warnings
 * in the window, and the scenegate CLI and `scenegate temporal …` reaching the same server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadCatalogue } from '../../common/catalogue-file';
import { runningDevServer } from '../../common/dev-server-record';
import { projectRoot } from '../../common/paths';
import { freePort } from '../../devenv/free-port';
import { cachedCliPath } from '../../devenv/temporal-cli';
import { testPlan } from '../helpers/generation-env';
import { startCommand, scenegate, type RunningCommand } from '../helpers/run-cli';
import { waitUntil } from '../helpers/wait';

let state: string;
let stackEnv: NodeJS.ProcessEnv;
const started: RunningCommand[] = [];
const tsx = (file: string, args: string[] = []): RunningCommand => {
  const run = startCommand(process.execPath, ['--import', 'tsx', path.join(projectRoot, file), ...args], stackEnv);
  started.push(run);
  return run;
};

// the console's port is held by someone else, as another project's console may hold 8240
let heldPort: net.Server;
before(async () => {
  state = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-dev-stack-'));
  heldPort = net.createServer();
  await new Promise<void>((resolve) => heldPort.listen(0, '127.0.0.1', resolve));
  stackEnv = {
    SCENEGATE_CONSOLE_PORT: String((heldPort.address() as net.AddressInfo).port),
    SCENEGATE_STATE_DIR: state,
    // the person's home folder, where their own plans live: the stack's worker and the CLI read it
    HOME: path.join(state, 'home'),
    SCENEGATE_TASK_QUEUE: `cli-dev-stack-${process.pid}`,
    SCENEGATE_TEMPORAL_PORT: String(await freePort()),
    SCENEGATE_TEMPORAL_UI_PORT: String(await freePort()),
    // the CLI the test run uses: nothing is built, so nothing may say it is
    TEMPORAL_CLI_PATH: cachedCliPath(),
    // no configured server, so the stack starts its own
    TEMPORAL_ADDRESS: undefined,
    TEMPORAL_NAMESPACE: undefined,
  };
});
after(async () => {
  for (const run of started) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  const server = runningDevServer({ SCENEGATE_STATE_DIR: state });
  if (server) process.kill(server.pid, 'SIGKILL');
  await fs.rm(state, { recursive: true, force: true });
  heldPort.close();
});

test('npm run dev and npm start: chosen ports, the real history file, no raw core warnings, scenegate temporal', async () => {
  const { SCENEGATE_TEMPORAL_PORT: port, SCENEGATE_TEMPORAL_UI_PORT: uiPort } = stackEnv;
  const dev = tsx('devenv/dev.ts');
  await waitUntil(
    'the dev stack',
    () => dev.output().stdout.includes('Press Ctrl-C to stop.') || dev.child.exitCode !== null,
    180_000
  );
  const devOut = dev.output().stdout;
  assert.match(
    devOut,
    new RegExp(`Temporal dev server started at 127\\.0\\.0\\.1:${port} .*\\(history in ${state}/temporal\\.db\\)`)
  );
  assert.match(devOut, new RegExp(`Web UI +http://127\\.0\\.0\\.1:${uiPort}\\n`));
  assert.doesNotMatch(devOut, /build/i);
  const consoleUrl = /Console +(http:\/\/\S+)/.exec(devOut)?.[1];
  assert.ok(consoleUrl, devOut);
  assert.ok(!consoleUrl.endsWith(`:${stackEnv.SCENEGATE_CONSOLE_PORT}`), 'the held port went to a free one');

  // the passthrough finds this checkout's dev server through its record
  const namespace = await scenegate(
    ['temporal', 'operator', 'namespace', 'describe', '--namespace', 'default'],
    stackEnv
  );
  assert.equal(namespace.code, 0, namespace.stderr);
  assert.match(namespace.stdout, /default/);
  const missing = await scenegate(['temporal', 'workflow', 'describe', '--workflow-id', 'no-such-run'], stackEnv);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /workflow not found for ID: no-such-run/);

  // so does the scenegate CLI, on the port the settings chose, with no TEMPORAL_ADDRESS
  // a plan in the person's own folder with its images beside it, started from the checkout
  const own = path.join(stackEnv.HOME!, 'ads');
  await fs.mkdir(own, { recursive: true });
  for (const image of ['mara.png', 'lumen-bottle.png']) {
    await fs.copyFile(path.join(projectRoot, 'examples', 'references', image), path.join(own, image));
  }
  const planFile = path.join(own, 'tiny.json');
  await fs.writeFile(
    planFile,
    JSON.stringify(
      testPlan('ignored', 1, {
        consistencyGroups: [
          { id: 'mara', kind: 'character', referenceImages: ['mara.png'] },
          { id: 'lumen', kind: 'product', referenceImages: ['lumen-bottle.png'] },
        ],
      })
    )
  );
  const fromCli = `dev-stack-cli-${process.pid}`;
  const generated = await scenegate(['generate', planFile, '--id', fromCli, '--no-gate', '--watch'], stackEnv);
  assert.equal(generated.code, 0, generated.stderr);
  assert.match(generated.stdout, new RegExp(`console +${consoleUrl}/generations/${fromCli}\n`), 'the console it runs');
  assert.match((await scenegate(['list'], stackEnv)).stdout, new RegExp(`\\n${fromCli} +succeeded `));

  const start = tsx('devenv/start.ts', ['--stay', planFile]);
  await waitUntil(
    'npm start to finish its run',
    () =>
      start.output().stdout.includes('stays up at') || start.output().stderr !== '' || start.child.exitCode !== null,
    180_000
  );
  const startOut = start.output().stdout;
  assert.match(startOut, /^scenegate: starting the local stack\.\.\.\n/);
  assert.match(
    startOut,
    new RegExp(`\nGeneration tiny-\\S+: 1 scene on ${loadCatalogue().defaults.emulator}, pool ×3, budget \\$10\\.00\n`),
    'the model used, and the strategy as it runs'
  );
  assert.doesNotMatch(startOut, /build/i);
  assert.match(
    startOut,
    new RegExp(`stays up at http://127\\.0\\.0\\.1:${uiPort} \\(history kept in ${state}/temporal\\.db\\)`)
  );
  start.child.kill('SIGINT');
  await start.done;

  // the server goes away under the worker: the core retries its polls and warns
  process.kill(runningDevServer({ SCENEGATE_STATE_DIR: state })!.pid, 'SIGKILL');
  await waitUntil('a worker warning', () => dev.output().stderr.includes('scenegate: worker warning:'), 120_000);
  const devErr = dev.output().stderr;
  assert.doesNotMatch(devErr, /temporalio_/, 'no raw core log lines');
  assert.ok(!devErr.includes('\u001b['), 'no terminal colours');
  assert.match(devErr, new RegExp(`^scenegate: worker warning: .+ \\(details in ${state}/worker\\.log\\)$`, 'm'));
  assert.match(await fs.readFile(path.join(state, 'worker.log'), 'utf8'), /retried/);
  dev.child.kill('SIGINT');
  await dev.done;
});
