import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { FailureType } from '../../schema/failures';
import type { FinalState } from '../../schema/progress';
import { applicationFailureOf, isWorkflowFailure } from '../helpers/failures';
import { recordHistory } from '../helpers/histories';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { waitForProgress } from '../helpers/wait';

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
  const plan = testPlan(`budget-parallel-${Date.now()}`, 6, {
    strategy: { mode: 'parallel', concurrency: 1 },
    budget: { limitUsd: 0.35 },
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    const paused = await waitForProgress(handle, (p) => p.status === 'awaiting_budget' && p.totals.done === 3);
    assert.equal(paused.budget.spentUsd, 0.3);
    assert.equal(env.emulator.stats().peakConcurrent, 3, 'three attempts fit in $0.35, so three ran at once');
    await handle.setBudget(1);
    const result = await handle.result();
    assert.equal(result.costUsd, 0.6);
  });
  assert.equal(env.emulator.stats().predictionsCreated, 6);
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
