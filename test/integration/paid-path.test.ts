/**
 * The workflow owns every paid prediction: its id is in history as soon as it exists, the wait
 * holds no worker, the end comes by webhook (or a timed read when a webhook is lost), a cancel
 * reaches every prediction in flight at once, and what is booked is what the emulator billed.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import type { FinalState } from '../../schema/progress';
import { recordHistory } from '../helpers/histories';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { waitForProgress, waitUntil } from '../helpers/wait';

let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
});
beforeEach(() => {
  env.emulator.reset();
  env.emulator.configure('scenegate/ip-adapter-video', { render: 'none', latency: { kind: 'fixed', ms: 0 } });
});
after(async () => {
  await env.teardown();
});

const id = (name: string): string => `paid-${name}-${Date.now()}`;
/** API requests the emulator saw for one prediction: its create (by its prompt), then its reads and cancels (by id). */
function apiCallsOf(predictionId: string): string[] {
  return env.emulator
    .stats()
    .requestLog.filter((r) => r.path.startsWith('/v1/') && r.path.includes(predictionId))
    .map((r) => `${r.method} ${r.path.replace(/\/v1\/predictions\/\w+/, '/v1/predictions/:id')}`);
}

test('with webhooks each prediction costs two API calls, its create and one read confirming the end its signal reported', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(testPlan(id('webhooks'), 3, { strategy: { mode: 'parallel' } }));
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    const creates = env.emulator.stats().requestLog.filter((r) => r.method === 'POST' && /\/predictions$/.test(r.path));
    assert.equal(creates.length, 3, 'one create per scene');
    for (const scene of result.scenes) {
      assert.deepEqual(
        apiCallsOf(scene.predictionId!),
        ['GET /v1/predictions/:id'],
        `one read of ${scene.id}'s prediction, no cancel`
      );
    }
    const events = (await handle.workflow.fetchHistory()).events ?? [];
    const signals = events.filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'predictionSettled'
    );
    assert.equal(signals.length, 3);
    await recordHistory('webhooks', handle.workflow);
  });
});

test("a lost webhook is made up for by a read at the model's typical time; a duplicate one changes nothing", async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { webhookLossNext: 1, duplicateWebhooks: true });
  await env.withWorker(async () => {
    const handle = await env.generations.start(
      testPlan(id('lost'), 2, { strategy: { mode: 'sequential' }, timeouts: { predictionCheck: '1s' } })
    );
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    const [first, second] = result.scenes;
    assert.deepEqual(apiCallsOf(first!.predictionId!), ['GET /v1/predictions/:id'], 'the lost webhook: one read');
    assert.deepEqual(
      apiCallsOf(second!.predictionId!),
      ['GET /v1/predictions/:id'],
      'the second arrived twice; one read confirmed it'
    );
    assert.equal(result.costUsd, 0.2, 'each booked once');
    await recordHistory('lost-webhook', handle.workflow);
  });
});

test('a create that gave up with its outcome unknown is looked for, and its prediction adopted, before any other', async () => {
  const activities = createActivities(env.deps);
  let tries = 0;
  // the first try reaches Replicate and then loses its answer; every later try finds Replicate unreachable
  const unanswered: typeof activities = {
    ...activities,
    async createPrediction(input) {
      tries++;
      if (tries === 1) await activities.createPrediction(input);
      throw ApplicationFailure.retryable('connection reset before the answer', 'ReplicateNetworkError');
    },
  };
  await env.withWorker(async () => {
    const plan = testPlan(id('unknown'), 1, { timeouts: { sceneAttempt: '4s', predictionCheck: '1s' } });
    const handle = await env.generations.start(plan);
    const result = await handle.result();
    await recordHistory('create-outcome-unknown', handle.workflow);
    assert.equal(result.status, 'succeeded');
    assert.equal(result.scenes[0]!.attempts, 1, 'the lost create was adopted, not made again');
    assert.deepEqual(
      env.emulator.stats().predictions.map((p) => p.id),
      [result.scenes[0]!.predictionId]
    );
  }, unanswered);
  assert.ok(tries >= 2);
});

test('no worker slot is held while predictions run: the workflow waits, not an activity', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { hold: true });
  await env.withWorker(async () => {
    const handle = await env.generations.start(testPlan(id('slots'), 4, { strategy: { mode: 'parallel' } }));
    await waitUntil('four predictions running', () => env.emulator.held().length === 4);
    await waitForProgress(handle, (p) => p.scenes.every((s) => s.predictionId !== null));
    const { raw } = await handle.workflow.describe();
    assert.deepEqual(raw.pendingActivities ?? [], [], 'nothing pending while four models run');
    env.emulator.release();
    assert.equal((await handle.result()).status, 'succeeded');
  });
});

test('cancelling cancels every prediction in flight from the workflow, and books what each cost', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { hold: true });
  let state: FinalState | undefined;
  await env.withWorker(async () => {
    const handle = await env.generations.start(testPlan(id('cancel'), 4, { strategy: { mode: 'parallel' } }));
    await waitUntil('four predictions running', () => env.emulator.held().length === 4);
    await waitForProgress(handle, (p) => p.scenes.every((s) => s.predictionId !== null));
    await handle.cancel();
    await assert.rejects(
      handle.result(),
      (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure
    );
    state = (await handle.workflow.describe()).memo?.finalState as FinalState;
    await recordHistory('cancel-in-flight', handle.workflow);
  });
  const stats = env.emulator.stats();
  assert.equal(stats.byStatus.canceled, 4, 'every held prediction was cancelled, none ran on');
  assert.equal(stats.currentConcurrent, 0);
  const billed = new Map(stats.predictions.map((p) => [p.id, p.costUsd]));
  for (const scene of state!.scenes) {
    const attempt = scene.history[0]!;
    assert.equal(attempt.status, 'cancelled');
    assert.equal(attempt.costUsd, billed.get(attempt.predictionId!), `${scene.id}: booked what was billed`);
  }
  assert.ok(Math.abs(state!.spentUsd - stats.costUsd) < 1e-9, `booked ${state!.spentUsd}, billed ${stats.costUsd}`);
});

test('without a webhook receiver the workflow reads each prediction once its typical time has passed', async () => {
  const quiet = await useGenerationEnv(import.meta.url, { webhooks: false });
  try {
    quiet.emulator.configure('scenegate/ip-adapter-video', { render: 'none', latency: { kind: 'fixed', ms: 0 } });
    const result = await quiet.withWorker(async () =>
      (await quiet.generations.start(testPlan(id('no-webhooks'), 2, { timeouts: { predictionCheck: '1s' } }))).result()
    );
    assert.equal(result.status, 'succeeded');
    for (const scene of result.scenes) {
      const reads = quiet.emulator.stats().requestLog.filter((r) => r.path === `/v1/predictions/${scene.predictionId}`);
      // the emulator's model runs in well under its typical second, so the first read finds it done
      assert.equal(reads.length, 1, `${scene.id}: one read`);
    }
    assert.equal(quiet.emulator.stats().webhookDeliveries, 0);
  } finally {
    await quiet.teardown();
  }
});

test('the receiver refuses a bad or stale signature with 401, logs it, and signals nothing', async () => {
  const body = JSON.stringify({ id: 'x', status: 'succeeded', created_at: new Date().toISOString() });
  const sign = (secret: string, msgId: string, timestamp: number): string => {
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    return `v1,${crypto.createHmac('sha256', key).update(`${msgId}.${timestamp}.${body}`).digest('base64')}`;
  };
  const post = (headers: Record<string, string>): Promise<Response> =>
    fetch(`${env.receiver.url}?generation=nope&key=s1%231`, { method: 'POST', headers, body });
  const now = Math.floor(Date.now() / 1000);
  const wrongKey = `whsec_${crypto.randomBytes(24).toString('base64')}`;
  const bad = await post({
    'webhook-id': 'msg_bad',
    'webhook-timestamp': String(now),
    'webhook-signature': sign(wrongKey, 'msg_bad', now),
  });
  assert.equal(bad.status, 401);
  const old = now - 600;
  const stale = await post({
    'webhook-id': 'msg_stale',
    'webhook-timestamp': String(old),
    'webhook-signature': sign(env.emulator.webhookSecret, 'msg_stale', old),
  });
  assert.equal(stale.status, 401);
  const good = await post({
    'webhook-id': 'msg_ok',
    'webhook-timestamp': String(now),
    'webhook-signature': sign(env.emulator.webhookSecret, 'msg_ok', now),
  });
  assert.equal(good.status, 200, 'a signed webhook for a generation that does not run is answered 2xx and dropped');
  assert.deepEqual(
    env.refusedWebhooks.map((r) => [r.status, r.webhookId]),
    [
      [401, 'msg_bad'],
      [401, 'msg_stale'],
    ]
  );
  env.refusedWebhooks.length = 0;
});

test('creates go through a task queue Temporal rate-limits for every worker together', async () => {
  const limited = await useGenerationEnv(import.meta.url);
  try {
    limited.emulator.configure('scenegate/ip-adapter-video', { render: 'none', latency: { kind: 'fixed', ms: 0 } });
    const { createWorkers } = await import('../../worker/create-workers');
    const workers = await createWorkers({
      connection: limited.temporal.env.nativeConnection,
      namespace: limited.temporal.env.namespace ?? 'default',
      taskQueue: limited.taskQueue,
      activities: createActivities(limited.deps),
      createsPerMinute: 60,
      workflowBundle: limited.temporal.workflowBundle,
    });
    const result = await workers.runUntil(async () =>
      (await limited.generations.start(testPlan(id('rate'), 5, { strategy: { mode: 'parallel' } }))).result()
    );
    assert.equal(result.status, 'succeeded');
    const creates = limited.emulator
      .stats()
      .requestLog.filter((r) => r.method === 'POST' && /\/predictions$/.test(r.path))
      .map((r) => r.at)
      .sort((a, b) => a - b);
    assert.equal(creates.length, 5);
    // one a second: five creates cannot all land within the first three seconds, however loaded the machine
    assert.ok(creates[4]! - creates[0]! >= 2500, `creates spread over ${creates[4]! - creates[0]!} ms at 1/s`);
  } finally {
    await limited.teardown();
  }
});
