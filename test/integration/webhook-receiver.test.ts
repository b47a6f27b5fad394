/**
 * The webhook receiver faces callers it has not authenticated yet: an upstream failure stays out
 * of its answers and logs, and copies of one delivery, however close together, make one signal.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import { newWebhookSecret } from '../../emulator/webhooks';
import { startWebhookReceiver, type WebhookReceiver } from '../../worker/webhook-receiver';
import { testPlan } from '../helpers/generation-env';
import { taskQueueFor, useTestTemporal, type TestTemporal } from '../helpers/temporal-env';

let temporal: TestTemporal;
before(async () => {
  temporal = await useTestTemporal();
});
after(async () => {
  await temporal.teardown();
});

const TOKEN = 'r8_receiver_canary_token';

/** A receiver whose log lines the test keeps. */
async function receiverWith(
  fetchSecret: () => Promise<string>
): Promise<{ receiver: WebhookReceiver; logged: string[] }> {
  const logged: string[] = [];
  const receiver = await startWebhookReceiver({
    client: temporal.env.client,
    fetchSecret,
    host: '127.0.0.1',
    port: 0,
    log: (level, message, fields) => logged.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
  });
  return { receiver, logged };
}

/** Posts `body` signed the Standard Webhooks way as delivery `id`. */
function post(url: string, secret: string, id: string, body: string): Promise<Response> {
  const timestamp = Math.floor(Date.now() / 1000);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v1,${signature}`,
    },
    body,
  });
}

const predictionBody = JSON.stringify({ id: 'p1', status: 'succeeded', created_at: new Date().toISOString() });

test('a failed secret fetch is answered with a generic 503 and logged without the upstream answer', async () => {
  // an upstream that echoes the request, as a misconfigured proxy does
  const echo = new Error(`Request to https://api.replicate.com/v1/webhooks/default/secret failed with status 500:
    {"echo": {"Authorization": "Bearer ${TOKEN}"}}`);
  const { receiver, logged } = await receiverWith(() => Promise.reject(echo));
  try {
    const answer = await post(`${receiver.url}?generation=g&key=s1%231`, newWebhookSecret(), 'msg_1', predictionBody);
    const text = await answer.text();
    assert.equal(answer.status, 503, 'Replicate retries a 5xx');
    assert.doesNotMatch(text, new RegExp(TOKEN), 'the answer carries no upstream text');
    assert.doesNotMatch(text, /api\.replicate\.com/);
    assert.ok(logged.length > 0, 'the failure is logged');
    for (const line of logged) assert.doesNotMatch(line, new RegExp(TOKEN), 'the log carries no upstream text');
  } finally {
    await receiver.close();
  }
});

test('ten concurrent copies of one delivery make one signal', async () => {
  const secret = newWebhookSecret();
  const { receiver } = await receiverWith(() => Promise.resolve(secret));
  // no worker: the signals stay in the generation's history for the test to count
  const workflowId = `receiver-copies-${Date.now()}`;
  const handle = await temporal.env.client.workflow.start('generateVideo', {
    taskQueue: taskQueueFor(import.meta.url),
    workflowId,
    args: [testPlan(workflowId, 1)],
  });
  try {
    const url = `${receiver.url}?generation=${encodeURIComponent(workflowId)}&key=s1%231`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post(url, secret, 'msg_copied', predictionBody))
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      Array.from({ length: 10 }, () => 200)
    );
    const events = (await handle.fetchHistory()).events ?? [];
    const signals = events.filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'predictionSettled'
    );
    assert.equal(signals.length, 1);
  } finally {
    await handle.terminate('test over');
    await receiver.close();
  }
});
