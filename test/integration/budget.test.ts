import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { FailureType } from '../../schema/failures';
import type { FinalState } from '../../schema/progress';
import { applicationFailureOf, isWorkflowFailure } from '../helpers/failures';
import { recordHistory } from '../helpers/histories';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { scenegate } from '../helpers/run-cli';
import { waitForProgress, waitUntil } from '../helpers/wait';
import { raiseBudgetSignal } from '../../workflows/messages';

let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
});
beforeEach(() => {
  env.emulator.reset();
  env.emulator.configure('scenegate/ip-adapter-video', { render: 'none', latency: { kind: 'fixed', ms: 400 } });
});
after(async () => {
  await env.teardown();
});

// each scene: 2 s at $0.05 per output second = $0.10

test('pause in awaiting_budget, found by a visibility query; raiseBudget resumes it', async () => {
  const plan = testPlan(`budget-pause-${Date.now()}`, 3, {
    strategy: { mode: 'sequential', concurrency: 1 },
    budget: { limitUsd: 0.15 },
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    const paused = await waitForProgress(handle, (p) => p.status === 'awaiting_budget');
    assert.equal(paused.budget.spentUsd, 0.1);
    assert.match(paused.waitingFor ?? '', /raiseBudget/);
    assert.equal(env.emulator.stats().predictionsCreated, 1, 'the attempt that did not fit never started');
    let listed: string[] = [];
    for (let i = 0; i < 50 && !listed.includes(handle.id); i++) {
      listed = (await env.generations.list({ status: 'awaiting_budget' })).map((g) => g.id);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(listed.includes(handle.id), "GenerationStatus='awaiting_budget' finds it");
    await handle.raiseBudget(0.5);
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    assert.equal(result.costUsd, 0.3);
    assert.equal(result.limitUsd, 0.65);
    await recordHistory('budget-pause-raise', handle.workflow);
  });
});

test('no money within waitTimeout: BudgetExceeded, with what was spent and which scenes are done', async () => {
  const plan = testPlan(`budget-timeout-${Date.now()}`, 3, {
    strategy: { mode: 'sequential', concurrency: 1 },
    budget: { limitUsd: 0.15, waitTimeout: '2s' },
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    const failure = await handle.result().then(
      () => assert.fail('the generation should have failed'),
      (err: unknown) => {
        isWorkflowFailure(FailureType.BudgetExceeded, /needs 0\.1000 USD but only 0\.0500 USD.*within 2s/)(err);
        return applicationFailureOf(err);
      }
    );
    const state = failure.details?.[0] as FinalState;
    assert.equal(state.spentUsd, 0.1);
    assert.deepEqual(state.scenesDone, ['s1']);
    assert.equal(state.clips.length, 1);
    await recordHistory('budget-timeout', handle.workflow);
  });
  assert.equal(env.emulator.stats().predictionsCreated, 1);
});

test('in parallel mode never more in flight than the budget covers; setBudget lets the rest run', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { hold: true });
  const plan = testPlan(`budget-parallel-${Date.now()}`, 6, {
    strategy: { mode: 'parallel', concurrency: 1 },
    budget: { limitUsd: 0.35 },
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    const paused = await waitForProgress(handle, (p) => p.status === 'awaiting_budget' && p.totals.running === 3);
    assert.equal(paused.budget.reservedUsd, 0.3, 'three attempts fit in $0.35');
    await waitUntil('three held predictions', () => env.emulator.held().length === 3);
    assert.equal(env.emulator.stats().predictionsCreated, 3, 'the other three wait for money');
    await handle.setBudget(1);
    await waitUntil('all six in flight', () => env.emulator.held().length === 6);
    env.emulator.release();
    const result = await handle.result();
    assert.equal(result.costUsd, 0.6);
  });
  assert.equal(env.emulator.stats().predictionsCreated, 6);
});

test('a raise that covers one of several waiting scenes releases that one; the others wait on, and the run succeeds', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { hold: true });
  const plan = testPlan(`budget-partial-${Date.now()}`, 4, {
    strategy: { mode: 'pool', concurrency: 4 },
    budget: { limitUsd: 0.1, waitTimeout: '1h' },
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    const waiting = await waitForProgress(handle, (p) => p.status === 'awaiting_budget' && p.totals.running === 1);
    assert.match(waiting.waitingFor ?? '', /s2 needs 0\.10 USD, s3 needs 0\.10 USD, s4 needs 0\.10 USD/);

    await handle.raiseBudget(0.1);
    const after = await waitForProgress(handle, (p) => p.totals.running === 2);
    assert.equal(after.status, 'awaiting_budget', 'the two still short of money keep waiting; nothing failed');
    assert.match(after.waitingFor ?? '', /s3 needs 0\.10 USD, s4 needs 0\.10 USD/);
    await waitUntil('two held predictions', () => env.emulator.held().length === 2);
    assert.equal(env.emulator.stats().predictionsCreated, 2, 'exactly one more attempt started');

    await handle.raiseBudget(0.2);
    await waitUntil('four held predictions', () => env.emulator.held().length === 4);
    env.emulator.release();
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    assert.equal(result.costUsd, 0.4);
    assert.equal(result.limitUsd, 0.4);
    await recordHistory('budget-partial-raise', handle.workflow);
  });
});

test('raises past the maximum cannot make the limit infinite: a huge one is ignored, a large one capped', async () => {
  const plan = testPlan(`budget-huge-${Date.now()}`, 2, {
    strategy: { mode: 'sequential', concurrency: 1 },
    budget: { limitUsd: 0.15 },
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await waitForProgress(handle, (p) => p.status === 'awaiting_budget');
    // what the Web UI's signal form and `temporal workflow signal` can send, unchecked by any client
    await handle.workflow.signal(raiseBudgetSignal, { amountUsd: 1e308 });
    await handle.workflow.signal(raiseBudgetSignal, { amountUsd: 1e308 });
    await handle.workflow.signal(raiseBudgetSignal, { amountUsd: 999_999 });
    await handle.workflow.signal(raiseBudgetSignal, { amountUsd: 999_999 });
    const result = await handle.result();
    assert.equal(result.limitUsd, 1_000_000, 'capped at the maximum');
    const status = await scenegate(['status', handle.id], {
      TEMPORAL_ADDRESS: env.temporal.env.address,
      SCENEGATE_TASK_QUEUE: env.taskQueue,
    });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /spent of \$1000000\.00/);
  });
});

test('onExceeded fail stops at once without waiting', async () => {
  const plan = testPlan(`budget-fail-${Date.now()}`, 3, {
    strategy: { mode: 'sequential', concurrency: 1 },
    budget: { limitUsd: 0.15, onExceeded: 'fail' },
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await assert.rejects(handle.result(), isWorkflowFailure(FailureType.BudgetExceeded));
  });
});
