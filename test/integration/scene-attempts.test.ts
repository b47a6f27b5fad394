import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { createActivities } from '../../activities';
import { createReplicateClient, replicateConnection } from '../../activities/replicate/client';
import { FailureType } from '../../schema/failures';
import type { FinalState } from '../../schema/progress';
import { isWorkflowFailure } from '../helpers/failures';
import { recordHistory } from '../helpers/histories';
import { waitUntil } from '../helpers/wait';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

const TOKEN = 'r8_scene_attempts_secret_token_0042';
let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url, { token: TOKEN });
});
beforeEach(() => {
  env.emulator.reset();
  env.emulator.configure('scenegate/ip-adapter-video', { latency: { kind: 'fixed', ms: 300 }, render: 'ffmpeg' });
});
after(async () => {
  await env.teardown();
});

const unique = (name: string): string => `${name}-${Date.now()}-${Math.floor(Math.random() * 1e4)}`;

async function activityAttempts(workflowId: string): Promise<number[]> {
  const history = await env.temporal.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 0] : []
  );
}

test('a worker killed while its prediction runs loses nothing: the next worker finishes the generation, paid once', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { hold: true });
  const child = env.workerProcess({ WEBHOOK_URL: env.receiver.url }, 'pipe');
  try {
    const id = unique('crash');
    const handle = await env.generations.start(testPlan(id, 1, { timeouts: { heartbeat: '2s' } }));
    await waitUntil('the first worker created the prediction', () => env.emulator.held().length === 1);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    env.emulator.release();

    const result = await env.withWorker(() => handle.result());
    assert.equal(result.status, 'succeeded');
    const stats = env.emulator.stats();
    assert.equal(stats.predictionsCreated, 1, 'the retried activity resumed the recorded prediction');
    assert.deepEqual(
      Object.values(stats.createsByFingerprint).map((f) => f.count),
      [1]
    );
    assert.equal(result.scenes[0]!.attempts, 1);
    assert.ok(
      (await activityAttempts(id)).every((a) => a === 1),
      'no activity was running on the killed worker: the workflow, not a worker, waited for the prediction'
    );
  } finally {
    child.kill('SIGKILL');
  }
});

test('no credit after preparation stops the generation at once with one failure naming it; no scene waits for an operator', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { insufficientCredit: true });
  const plan = testPlan(unique('nocredit'), 4, {
    strategy: { mode: 'parallel', concurrency: 1 },
    onSceneFailure: 'await-ops',
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await assert.rejects(
      handle.result(),
      isWorkflowFailure(
        FailureType.ReplicateBilling,
        /needs more credit .*add credit to the account of REPLICATE_API_TOKEN/
      )
    );
    const { memo } = await handle.workflow.describe();
    const state = memo?.finalState as FinalState;
    assert.ok(
      !state.scenes.some((s) => s.status === 'awaiting_ops'),
      JSON.stringify(state.scenes.map((s) => s.status))
    );
    await recordHistory('account-no-credit', handle.workflow);
  });
  assert.equal(env.emulator.stats().predictionsCreated, 0);
});

test('a token revoked after preparation stops the generation at once, naming REPLICATE_API_TOKEN; nothing else is created', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { hold: true });
  const plan = testPlan(unique('revoked'), 3, {
    strategy: { mode: 'sequential', concurrency: 1 },
    onSceneFailure: 'await-ops',
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await waitUntil('scene 1 in flight', () => env.emulator.held().length === 1);
    env.emulator.revokeToken('r8_rotated_token');
    env.emulator.release();
    await assert.rejects(
      handle.result(),
      isWorkflowFailure(FailureType.ReplicateAuth, /refused the API token.*REPLICATE_API_TOKEN/)
    );
  });
  env.emulator.revokeToken(TOKEN);
  assert.equal(env.emulator.stats().predictionsCreated, 1, 'scenes 2 and 3 were never created');
});

test('a create whose answer was lost is found among recent predictions, not sent again', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { dropAfterCreateNext: 1 });
  const result = await env.withWorker(async () =>
    (await env.generations.start(testPlan(unique('dropped'), 1))).result()
  );
  assert.equal(result.status, 'succeeded');
  assert.equal(env.emulator.stats().predictionsCreated, 1);
});

test('a 429 storm is ridden out at the pace Retry-After asks, with no burst of retries', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { rateLimitNext: 3, retryAfterSec: 1 });
  const result = await env.withWorker(async () => (await env.generations.start(testPlan(unique('storm'), 1))).result());
  assert.equal(result.status, 'succeeded');
  const creates = env.emulator.stats().requestLog.filter((r) => r.method === 'POST' && r.path.endsWith('/predictions'));
  assert.deepEqual(
    creates.map((r) => r.status),
    [429, 429, 429, 201],
    'each 429 reached the server once'
  );
  for (let i = 1; i < creates.length; i++) {
    const gap = creates[i]!.at - creates[i - 1]!.at;
    assert.ok(gap >= 900, `create ${i + 1} came ${gap} ms after the previous one; Retry-After asked for 1000`);
  }
  assert.equal(env.emulator.stats().predictionsCreated, 1);
});

test('a refused token fails at once, non-retryable, naming the cause', async () => {
  const connection = replicateConnection({ baseUrl: env.emulator.baseUrl, emulatorToken: 'r8_wrong_token' });
  const activities = createActivities({ ...env.deps, connection, replicate: createReplicateClient(connection) });
  const id = unique('badtoken');
  await env.withWorker(async () => {
    const handle = await env.generations.start(testPlan(id, 2));
    await assert.rejects(
      handle.result(),
      isWorkflowFailure(FailureType.ReplicateAuth, /refused the API token.*REPLICATE_API_TOKEN/)
    );
  }, activities);
  assert.deepEqual(await activityAttempts(id), [1], 'one activity attempt, no retries');
});

test('an input the model rejects fails the scene at once, naming the field', async () => {
  const catalogue = structuredClone(env.deps.catalogue);
  catalogue.models[0]!.inputs.negativePrompt = 'negative_promptt';
  const activities = createActivities({ ...env.deps, catalogue });
  const plan = testPlan(unique('badfield'), 1);
  plan.scenes[0]!.negativePrompt = 'blurry';
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await assert.rejects(handle.result(), isWorkflowFailure(FailureType.SceneFailed, /input\.negative_promptt/));
  }, activities);
  assert.equal(env.emulator.stats().predictionsCreated, 0);
});

test('the Replicate token appears nowhere in the workflow history', async () => {
  const id = unique('token');
  await env.withWorker(async () => (await env.generations.start(testPlan(id, 2))).result());
  const history = await env.temporal.env.client.workflow.getHandle(id).fetchHistory();
  // payloads are bytes: decode them so the search sees their text
  // payload bytes serialise base64-encoded: decode every `data` field so the search sees their text
  const text = JSON.stringify(JSON.parse(JSON.stringify(history)), (key, v: unknown) =>
    key === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v
  );
  assert.ok(text.length > 1000);
  assert.ok(text.includes(env.emulator.baseUrl), 'payloads were decoded for the search');
  assert.ok(!text.includes(TOKEN), 'the token leaked into the history');
});
