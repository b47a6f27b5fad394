/**
 * A prediction whose `Cancel-After` deadline passes before it starts ends `aborted`, which
 * Replicate does not bill for public models (changelog 2025-10-16, ../shared/notes/replicate-api.md
 * 1.3): the ledger books it at $0, as the emulator bills it, and the attempt counts as failed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FailureType } from '../../schema/failures';
import { isWorkflowFailure } from '../helpers/failures';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

const MODEL = 'scenegate/ip-adapter-video';
let env: GenerationEnv;

before(async () => {
  env = await useGenerationEnv(import.meta.url, { dressRehearsal: true });
  // queued far longer than the attempt may last: the deadline passes while it is `starting`
  env.emulator.configure(MODEL, { render: 'none', startingMs: 10 * 60_000 });
});
after(async () => {
  await env?.teardown();
});

test('an aborted prediction is booked at $0, as Replicate bills it, and its attempt fails', async () => {
  const plan = testPlan(`aborted-${Date.now()}`, 1, {
    retry: { maxAttemptsPerScene: 1 },
    onSceneFailure: 'fail-fast',
    timeouts: { heartbeat: '5s', predictionCheck: '2s', sceneAttempt: '3s' },
  });
  const progress = await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await assert.rejects(handle.result(), isWorkflowFailure(FailureType.SceneFailed));
    return handle.progress();
  });
  const predictions = env.emulator.stats().predictions;
  assert.deepEqual(
    predictions.map((p) => [p.status, p.costUsd]),
    [['aborted', 0]],
    'Replicate aborted it unstarted and billed nothing'
  );
  assert.equal(progress.scenes[0]!.history[0]!.predictionId, predictions[0]!.id);
  assert.equal(progress.scenes[0]!.history[0]!.costUsd, 0, 'booked at what it was billed');
  assert.equal(progress.budget.spentUsd, 0);
  assert.equal(progress.budget.reservedUsd, 0, 'its reservation released');
});
