/**
 * With REPLICATE_API_TOKEN set the worker behaves as on hosted Replicate: tried here against the
 * emulator, which serves the catalogue's hosted models too and accepts the token.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createActivities } from '../../activities';
import { createReplicateClient, replicateConnection } from '../../activities/replicate/client';
import { FailureType } from '../../schema/failures';
import { isWorkflowFailure } from '../helpers/failures';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { waitForProgress } from '../helpers/wait';

const TOKEN = 'r8_hosted_readiness_token';
let env: GenerationEnv;
let hosted: ReturnType<typeof createActivities>;
before(async () => {
  env = await useGenerationEnv(import.meta.url, { token: TOKEN });
  for (const model of ['bytedance/seedance-2.0', 'andreasjansson/clip-features']) {
    env.emulator.configure(model, { render: 'none', latency: { kind: 'fixed', ms: 0 } });
  }
  const connection = replicateConnection({ token: TOKEN, baseUrl: env.emulator.baseUrl, emulatorToken: 'unused' });
  hosted = createActivities({ ...env.deps, connection, replicate: createReplicateClient(connection) });
});
after(async () => {
  await env.teardown();
});

/** Seedance, the hosted default, makes 4 to 15 s clips. */
const hostedPlan = (id: string, extra: Parameters<typeof testPlan>[2]) => {
  const plan = testPlan(id, 2, extra);
  return { ...plan, scenes: plan.scenes.map((s) => ({ ...s, durationSec: 4 })) };
};

test('a plan with no model runs on the catalogue hosted default; a manual gate asks a person', async () => {
  const plan = hostedPlan(`hosted-default-${Date.now()}`, { gate: { enabled: true, scorer: 'manual' } });
  const result = await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    const waiting = await waitForProgress(handle, (p) => p.status === 'awaiting_approval');
    assert.equal(waiting.model, 'bytedance/seedance-2.0');
    await handle.approveGate('looks like Mara');
    const done = await handle.result();
    assert.equal((await handle.progress()).gate.status, 'approved');
    return done;
  }, hosted);
  assert.equal(result.status, 'succeeded');
  const models = env.emulator.stats().predictions.map((p) => p.model);
  assert.deepEqual([...new Set(models)], ['bytedance/seedance-2.0']);
  assert.equal(result.durationSec, 8, 'two 4 s clips');
});

test("the local scorer, which only reads the emulator's pasted references, is refused on hosted Replicate by name", async () => {
  const plan = hostedPlan(`hosted-local-${Date.now()}`, { gate: { enabled: true, scorer: 'local' } });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await assert.rejects(
      handle.result(),
      isWorkflowFailure(FailureType.InvalidPlan, /^gate\.scorer: "local" .* use "vision" .* "clip" .* or "manual"/)
    );
  }, hosted);
});
