/**
 * Notifications on the real server: a receiver hears when a run starts waiting for a person
 * and when it ends, with the console link; a receiver that is down never holds a run up.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { createActivities } from '../../activities';
import type { Notification } from '../../schema/notification';
import { recordHistory } from '../helpers/histories';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { waitForProgress, waitUntil } from '../helpers/wait';

/** A notification receiver: keeps what it is sent, and answers `status` to each. */
class Receiver {
  readonly received: Notification[] = [];
  requests = 0;
  status = 200;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.requests++;
      if (this.status === 200) this.received.push(JSON.parse(Buffer.concat(chunks).toString()) as Notification);
      res.writeHead(this.status).end();
    });
  });
  url = '';
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
  of(generationId: string): Notification[] {
    return this.received.filter((n) => n.generationId === generationId);
  }
}

let env: GenerationEnv;
const receiver = new Receiver();
before(async () => {
  env = await useGenerationEnv(import.meta.url);
  await receiver.listen();
});
beforeEach(() => {
  env.emulator.reset();
  receiver.status = 200;
});
after(async () => {
  await receiver.close();
  await env.teardown();
});

const activities = () =>
  createActivities({ ...env.deps, notifyUrl: receiver.url, consoleUrl: 'http://console.example:8240' });

test('a run at the gate notifies once with the console link, and again when it ends', async () => {
  const plan = testPlan(`notify-gate-${Date.now()}`, 2, { gate: { enabled: true, scorer: 'manual' } });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    const waiting = await waitUntil('the gate notification', () => receiver.of(handle.id)[0]);
    const page = `http://console.example:8240/generations/${handle.id}`;
    assert.equal(waiting.event, 'waiting');
    assert.deepEqual(waiting.waitingOn, [{ kind: 'approval', sceneIds: ['s1'] }]);
    assert.equal(waiting.consoleUrl, page);
    assert.ok(waiting.text.includes(`<${page}|open in the console>`), waiting.text);
    assert.equal((await handle.progress()).consoleUrl, page);

    await handle.approveGate();
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    const told = receiver.of(handle.id);
    assert.deepEqual(
      told.map((n) => `${n.event} ${n.status}`),
      ['waiting awaiting_approval', 'ended succeeded'],
      'one message per wait and one for the end'
    );
    assert.equal(told[1]!.scenesDone, 2);
    await recordHistory('notify-gate', handle.workflow);
  }, activities());
});

test('a cancelled run tells how it ended', async () => {
  const plan = testPlan(`notify-cancel-${Date.now()}`, 2, { gate: { enabled: true, scorer: 'manual' } });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await waitForProgress(handle, (p) => p.status === 'awaiting_approval');
    await handle.cancel();
    await assert.rejects(handle.result());
    const end = await waitUntil('the end notification', () => receiver.of(handle.id).find((n) => n.event === 'ended'));
    assert.equal(end.status, 'cancelled');
    assert.equal(end.reason, 'cancelled');
  }, activities());
});

test('a receiver that is down never fails the run: it is tried again, and the end waits for it only a few seconds', async () => {
  receiver.status = 503;
  const plan = testPlan(`notify-down-${Date.now()}`, 2);
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    assert.ok(receiver.requests >= 1, 'the end notification was tried');
    assert.equal(receiver.of(handle.id).length, 0);
  }, activities());
});

test('without a receiver configured no notification is scheduled at all', async () => {
  const plan = testPlan(`notify-none-${Date.now()}`, 1);
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await handle.result();
    const history = await handle.workflow.fetchHistory();
    const scheduled = (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notify'
    );
    assert.equal(scheduled.length, 0);
  });
});
