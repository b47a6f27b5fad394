/** The worker and the CLI stop on a bad setting with one line naming it, before connecting to anything. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../../common/paths';
import { runCommand } from '../helpers/run-cli';

const tsx = (file: string, env: NodeJS.ProcessEnv, args: string[] = []) =>
  runCommand(process.execPath, ['--import', 'tsx', path.join(projectRoot, file), ...args], env);

test('the worker refuses a bad setting in one line, exit code 2', async () => {
  const run = await tsx('worker/main.ts', {
    SCENEGATE_MAX_CONCURRENT_ACTIVITIES: '-3',
    TEMPORAL_ADDRESS: '127.0.0.1:1',
  });
  assert.equal(run.code, 2);
  assert.equal(
    run.stderr.trim(),
    'scenegate: invalid setting SCENEGATE_MAX_CONCURRENT_ACTIVITIES: expected a positive whole number (got "-3")'
  );
});

test('a worker that cannot reach Temporal says where it looked, exit code 5', async () => {
  const run = await tsx('worker/main.ts', {
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    REPLICATE_BASE_URL: 'http://127.0.0.1:9/v1',
  });
  assert.equal(run.code, 5, run.stderr);
  assert.match(run.stderr.trim(), /^scenegate: cannot reach Temporal at 127\.0\.0\.1:1/);
  assert.equal(run.stderr.trim().split('\n').length, 1);
});

test('the scenegate CLI checks its settings before it connects', async () => {
  const run = await tsx('bin/scenegate.js', { SCENEGATE_TASK_QUEUE: 'my queue', TEMPORAL_ADDRESS: '127.0.0.1:1' }, [
    'status',
    'some-id',
  ]);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr.trim(),
    /^scenegate: invalid setting SCENEGATE_TASK_QUEUE: expected a task queue name without spaces/
  );
});
