/**
 * A prediction's end as a signal or webhook reports it is a claim: the workflow reads the
 * prediction before it books or downloads anything, and downloads outputs only from where
 * Replicate (here the emulator) serves them.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import type { GenerationHandle } from '../../client/generation-client';
import { predictionSettledSignal } from '../../workflows/messages';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { recordHistory } from '../helpers/histories';
import { startReferenceServer, type ReferenceServer } from '../helpers/reference-server';
import { waitUntil } from '../helpers/wait';

let env: GenerationEnv;
let elsewhere: ReferenceServer;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
  elsewhere = await startReferenceServer({});
});
beforeEach(() => {
  env.emulator.reset();
  env.emulator.configure('scenegate/ip-adapter-video', {
    render: 'none',
    latency: { kind: 'fixed', ms: 0 },
    hold: true,
  });
});
after(async () => {
  await elsewhere.close();
  await env.teardown();
});

const id = (name: string): string => `ends-${name}-${Date.now()}`;
const reads = (predictionId: string): number =>
  env.emulator.stats().requestLog.filter((r) => r.method === 'GET' && r.path === `/v1/predictions/${predictionId}`)
    .length;

/** Starts a one-scene generation and returns it with its prediction, held running by the emulator. */
async function running(name: string): Promise<{ handle: GenerationHandle; predictionId: string }> {
  const handle = await env.generations.start(testPlan(id(name), 1));
  const [predictionId] = await waitUntil(
    'the prediction running',
    () => env.emulator.held().length === 1 && env.emulator.held()
  );
  return { handle, predictionId: predictionId! };
}

/** After the report: the prediction really ends, and the generation books and uses what Replicate says. */
async function endsAsReplicateSays(handle: GenerationHandle): Promise<void> {
  env.emulator.release();
  const result = await handle.result();
  assert.equal(result.status, 'succeeded');
  const stats = env.emulator.stats();
  assert.equal(stats.predictions.length, 1, 'no second attempt: the first prediction made the clip');
  assert.equal(result.scenes[0]!.attempts, 1);
  assert.ok(stats.costUsd > 0);
  assert.ok(Math.abs(result.costUsd - stats.costUsd) < 1e-9, `booked ${result.costUsd}, billed ${stats.costUsd}`);
}

test("a forged 'aborted' end sent as a signal is checked with a read: the run goes on and is booked as billed", async () => {
  await env.withWorker(async () => {
    const { handle, predictionId } = await running('forged-abort');
    const now = new Date().toISOString();
    await handle.workflow.signal(predictionSettledSignal, {
      key: 's1#1',
      prediction: {
        id: predictionId,
        status: 'aborted',
        output: null,
        error: null,
        createdAt: now,
        startedAt: null,
        completedAt: now,
        predictTimeSec: null,
        dataRemoved: false,
      },
    });
    await waitUntil(
      'a read of the prediction, or a second attempt',
      () => reads(predictionId) > 0 || env.emulator.stats().predictions.length > 1
    );
    assert.equal(env.emulator.stats().predictions.length, 1, 'the forged end did not end the attempt');
    await endsAsReplicateSays(handle);
    await recordHistory('confirm-reported-ends-forged-abort', handle.workflow);
  });
});

/** Posts a signed webhook, as only a holder of the account's secret can, reporting `prediction`. */
async function signedWebhook(workflowId: string, prediction: Record<string, unknown>): Promise<number> {
  const body = JSON.stringify(prediction);
  const msgId = `msg_${crypto.randomBytes(8).toString('hex')}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const key = Buffer.from(env.emulator.webhookSecret.slice('whsec_'.length), 'base64');
  const signature = crypto.createHmac('sha256', key).update(`${msgId}.${timestamp}.${body}`).digest('base64');
  const answer = await fetch(`${env.receiver.url}?generation=${encodeURIComponent(workflowId)}&key=s1%231`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': msgId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v1,${signature}`,
    },
    body,
  });
  return answer.status;
}

for (const [kind, output] of [
  ['an https loopback', () => `${elsewhere.origin}/output.mp4`],
  ['an http loopback', () => `${elsewhere.origin.replace('https:', 'http:')}/output.mp4`],
] as const) {
  test(`a signed 'succeeded' end pointing at ${kind} output is checked with a read; nothing is fetched from it`, async () => {
    await env.withWorker(async () => {
      const { handle, predictionId } = await running('signed-success');
      const now = new Date().toISOString();
      const status = await signedWebhook(handle.id, {
        id: predictionId,
        status: 'succeeded',
        output: output(),
        created_at: now,
        started_at: now,
        completed_at: now,
      });
      assert.equal(status, 200);
      await waitUntil(
        'a read of the prediction, or a fetch of the reported output',
        () => reads(predictionId) > 0 || elsewhere.connections() > 0
      );
      assert.equal(elsewhere.connections(), 0, 'the reported output was not fetched');
      assert.deepEqual(env.emulator.held(), [predictionId], 'the real prediction still runs, watched');
      await endsAsReplicateSays(handle);
      assert.equal(elsewhere.connections(), 0);
    });
  });
}
