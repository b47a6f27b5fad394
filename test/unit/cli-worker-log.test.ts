import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SdkComponent } from '@temporalio/common';
import { workerRuntimeLogging } from '../../devenv/worker-log';

test('the dev window gets one line per minute for warnings a person must act on; the log gets everything', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scenegate-log-')), 'worker.log');
  const stream = fs.createWriteStream(file);
  const notices: string[] = [];
  let now = 0;
  const { logger, telemetryOptions } = workerRuntimeLogging({
    stream,
    file,
    notice: (l) => notices.push(l),
    now: () => now,
  });
  // without forwarding, the native core prints its warnings straight to the console
  assert.ok(telemetryOptions?.logging && 'forward' in telemetryOptions.logging);

  logger!.warn('gRPC call poll_workflow_task_queue retried 7 times\nStatus { code: Unavailable }', {
    sdkComponent: SdkComponent.core,
  });
  now = 30_000;
  logger!.warn('gRPC call poll_activity_task_queue retried 8 times', { sdkComponent: SdkComponent.core });
  logger!.warn('No workflows registered, not polling for workflow tasks', { sdkComponent: SdkComponent.worker });
  logger!.info('Worker state changed', { sdkComponent: SdkComponent.worker });
  now = 61_000;
  logger!.warn('webhook refused: bad signature');

  assert.deepEqual(notices, [
    `scenegate: worker warning: gRPC call poll_workflow_task_queue retried 7 times (details in ${file})`,
    `scenegate: worker warning: webhook refused: bad signature (details in ${file}; 1 more since the last notice)`,
  ]);
  await new Promise((resolve) => stream.end(resolve));
  const logged = fs.readFileSync(file, 'utf8');
  for (const message of [
    'retried 7 times',
    'retried 8 times',
    'No workflows registered',
    'Worker state changed',
    'bad signature',
  ])
    assert.match(logged, new RegExp(message));
});

test('a newline or terminal escape in a message cannot forge a line of the worker log', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scenegate-log-')), 'worker.log');
  const stream = fs.createWriteStream(file);
  const { logger } = workerRuntimeLogging({ stream, file, notice: () => undefined });
  const forged = '2026-12-05T00:00:00.000Z ERROR budget raised by $1000 {}';
  logger!.info(`prediction p1 of s1#1\n${forged}\u001b[2K is succeeded`, { sdkComponent: SdkComponent.workflow });
  await new Promise((resolve) => stream.end(resolve));
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    /s1#1\\n2026-12-05T00:00:00\.000Z ERROR budget raised by \$1000 \{\}\\u001b\[2K is succeeded/
  );
});
