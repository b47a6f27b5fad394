import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { UpdateRefusedError } from '../../client/generation-client';
import { CancelledFailure } from '@temporalio/common';
import { FailureType } from '../../schema/failures';
import type { FinalState } from '../../schema/progress';
import { generationStatusKey } from '../../schema/search-attributes';
import { isWorkflowFailure } from '../helpers/failures';
import { recordHistory } from '../helpers/histories';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { waitForProgress, waitUntil } from '../helpers/wait';

let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
});
beforeEach(() => {
  env.emulator.reset();
  env.emulator.configure('scenegate/ip-adapter-video', {
    render: 'none',
    latency: { kind: 'fixed', ms: 300 },
    msPerOutputSecond: 0,
    failWhenPromptIncludes: 'DOOMED',
  });
});
after(async () => {
  await env.teardown();
});

const id = (name: string): string => `${name}-${Date.now()}`;

function planWithDoomedScene(name: string, extra: Parameters<typeof testPlan>[2]) {
  const plan = testPlan(id(name), 4, { retry: { maxAttemptsPerScene: 1 }, ...extra });
  plan.scenes[1]!.prompt = 'DOOMED scene two';
  return plan;
}

test('cancelling mid-run cancels every prediction in flight and keeps the final state', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { latency: { kind: 'fixed', ms: 60_000 } });
  let finalState: FinalState | undefined;
  const plan = testPlan(id('cancel'), 4, { strategy: { mode: 'parallel', concurrency: 1 } });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await waitForProgress(
      handle,
      () => env.emulator.stats().predictions.filter((p) => p.status === 'processing').length === 4
    );
    await handle.cancel();
    await assert.rejects(
      handle.result(),
      (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure
    );
    const description = await handle.workflow.describe();
    assert.equal(description.status.name, 'CANCELLED');
    assert.equal(description.searchAttributes[generationStatusKey.name]?.[0], 'cancelled');
    const state = description.memo?.finalState as FinalState;
    assert.equal(state.status, 'cancelled');
    assert.equal(state.scenes.filter((s) => s.status === 'cancelled').length, 4);
    await recordHistory('cancel-mid-run', handle.workflow);
    finalState = state;
  });
  const stats = env.emulator.stats();
  assert.ok(stats.costUsd > 0, 'Replicate billed the cancelled runs for the part that ran');
  assert.ok(
    finalState!.spentUsd >= stats.costUsd,
    `booked ${finalState!.spentUsd} USD, never less than the ${stats.costUsd} USD billed`
  );
  assert.equal(stats.predictionsCreated, 4);
  assert.equal(stats.byStatus.canceled, 4);
  assert.equal(stats.cancellations, 4);
  assert.equal(stats.currentConcurrent, 0, 'nothing is left running, or billing');
});

test('fail-fast: a scene out of attempts cancels its siblings and fails the generation naming it', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { hold: true });
  const plan = planWithDoomedScene('fail-fast', {
    strategy: { mode: 'parallel', concurrency: 1 },
    onSceneFailure: 'fail-fast',
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    // every scene in flight, then only the doomed one is let finish
    await waitUntil('four in flight', () => env.emulator.held().length === 4);
    const doomed = env.emulator.stats().predictions.find((p) => p.prompt.startsWith('DOOMED'));
    env.emulator.release([doomed!.id]);
    await assert.rejects(
      handle.result(),
      isWorkflowFailure(FailureType.SceneFailed, /scene s2 failed after 1 attempt: .*E005/)
    );
    await recordHistory('fail-fast', handle.workflow);
  });
  const stats = env.emulator.stats();
  assert.equal(stats.byStatus.failed, 1);
  assert.equal(stats.byStatus.canceled, 3, 'the three siblings in flight were cancelled');
  assert.equal(stats.currentConcurrent, 0);
});

test('continue: the others finish; the result lists the failed scene and the video leaves it out', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(planWithDoomedScene('continue', { onSceneFailure: 'continue' }));
    const result = await handle.result();
    assert.equal(result.status, 'partial');
    assert.deepEqual(result.failedScenes, ['s2']);
    assert.ok(Math.abs(result.durationSec - 6) < 0.5, `video of 3 scenes x 2 s, got ${result.durationSec}`);
  });
});

test('await-ops: an operator retries the failed scene with a new prompt; refusals explain themselves', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(planWithDoomedScene('ops-retry', { onSceneFailure: 'await-ops' }));
    const waiting = await waitForProgress(handle, (p) => p.status === 'awaiting_ops' && p.totals.done === 3);
    assert.match(waiting.waitingFor ?? '', /s2 .*E005.*retryScene/);
    await assert.rejects(handle.retryScene('s1'), (err: unknown) => {
      assert.ok(err instanceof UpdateRefusedError);
      assert.match(err.message, /scene s1 is succeeded; only a failed scene can be retried/);
      return true;
    });
    await assert.rejects(handle.skipScene('nope'), /there is no scene "nope"/);
    const answer = await handle.retryScene('s2', { prompt: 'scene two, fixed' });
    assert.match(answer.message, /scene s2 queued for up to 1 more attempt with a new prompt/);
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    assert.equal(result.scenes[1]!.attempts, 2);
    await recordHistory('ops-retry', handle.workflow);
  });
});

test('await-ops: an operator skips the failed scene', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(planWithDoomedScene('ops-skip', { onSceneFailure: 'await-ops' }));
    await waitForProgress(handle, (p) => p.status === 'awaiting_ops');
    assert.match((await handle.skipScene('s2')).message, /scene s2 skipped/);
    const result = await handle.result();
    assert.equal(result.status, 'partial');
    assert.deepEqual(result.skippedScenes, ['s2']);
    await recordHistory('ops-skip', handle.workflow);
  });
});

test('await-ops: an operator aborts', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(planWithDoomedScene('ops-abort', { onSceneFailure: 'await-ops' }));
    await waitForProgress(handle, (p) => p.status === 'awaiting_ops');
    assert.match((await handle.abort('wrong product')).message, /aborting/);
    await assert.rejects(handle.result(), isWorkflowFailure(FailureType.Aborted, /wrong product/));
  });
});

test('a second start with the same generation id returns the running generation', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { latency: { kind: 'fixed', ms: 1500 } });
  const plan = testPlan(id('idempotent'), 1);
  await env.withWorker(async () => {
    const first = await env.generations.start(plan);
    const second = await env.generations.start(plan);
    assert.equal((await second.workflow.describe()).runId, (await first.workflow.describe()).runId);
    await first.result();
    await assert.rejects(env.generations.start(plan), /already completed/);
  });
  assert.equal(env.emulator.stats().predictionsCreated, 1);
});
