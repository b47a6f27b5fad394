/** The `notify` activity as a worker builds it: with a receiver, and without one. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { createReplicateClient, replicateConnection } from '../../activities/replicate/client';
import { loadCatalogue } from '../../common/catalogue-file';
import { LocalStorage } from '../../common/storage/local';
import { FailureType } from '../../schema/failures';
import type { Notification } from '../../schema/notification';

const message: Notification = {
  text: 'ad-1 ended: succeeded',
  event: 'ended',
  generationId: 'ad-1',
  status: 'succeeded',
  waitingOn: [],
  waitingFor: null,
  scenesDone: 2,
  scenesTotal: 2,
  spentUsd: 0.2,
  limitUsd: 3,
  consoleUrl: null,
  reason: null,
};

function activities(notifyUrl?: string) {
  const connection = replicateConnection({ baseUrl: 'http://127.0.0.1:9/v1', emulatorToken: 'unused' });
  return createActivities({
    replicate: createReplicateClient(connection),
    connection,
    storage: new LocalStorage(os.tmpdir()),
    catalogue: loadCatalogue(),
    referenceRoots: [],
    ...(notifyUrl ? { notifyUrl } : {}),
  });
}

async function failureOf(run: Promise<void>): Promise<ApplicationFailure> {
  const err = await run.then(
    () => assert.fail('the notification was taken as delivered'),
    (e: unknown) => e
  );
  assert.ok(err instanceof ApplicationFailure, String(err));
  assert.equal(err.type, FailureType.NotifyFailed);
  return err;
}

test('a worker without SCENEGATE_NOTIFY_URL does not drop a notification: it fails it retryably, naming the setting', async () => {
  const err = await failureOf(activities().notify(message));
  assert.equal(err.nonRetryable, false, 'another try may reach a worker that has the URL');
  assert.match(err.message, /this worker has no SCENEGATE_NOTIFY_URL.*set it on every worker/);
});

test("with a receiver: delivered as JSON; a busy receiver's answer is retryable, a refusal is final", async () => {
  const received: unknown[] = [];
  const answers = [200, 503, 400];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString()));
      res.writeHead(answers.shift()!).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { notify } = activities(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    await notify(message);
    assert.deepEqual(received[0], message);
    assert.equal((await failureOf(notify(message))).nonRetryable, false, '503: retryable');
    const refused = await failureOf(notify(message));
    assert.equal(refused.nonRetryable, true, '400: final');
    assert.match(refused.message, /HTTP 400; check SCENEGATE_NOTIFY_URL/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
