/** What a generation's status says, to the CLI, the list, the Web UI and code, including after its end. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { FailureType } from '../../schema/failures';
import type { FinalState } from '../../schema/progress';
import { isWorkflowFailure } from '../helpers/failures';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { scenegate } from '../helpers/run-cli';
import { waitForProgress, waitUntil } from '../helpers/wait';

let env: GenerationEnv;
let cliEnv: NodeJS.ProcessEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
  cliEnv = { TEMPORAL_ADDRESS: env.temporal.env.address, SCENEGATE_TASK_QUEUE: env.taskQueue };
});
beforeEach(() => {
  env.emulator.reset();
  env.emulator.configure('scenegate/ip-adapter-video', {
    render: 'none',
    latency: { kind: 'fixed', ms: 0 },
    failWhenPromptIncludes: 'DOOMED',
  });
});
after(async () => {
  await env.teardown();
});

const id = (name: string): string => `status-${name}-${Date.now()}`;

/** The markdown the Web UI shows as the run's current details. */
async function currentDetails(workflowId: string): Promise<string> {
  const handle = env.temporal.env.client.workflow.getHandle(workflowId);
  const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
  return metadata.currentDetails ?? '';
}

test('a terminated run reads as terminated everywhere, its running scenes stopped', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { hold: true });
  const generationId = id('terminated');
  await env.withWorker(async () => {
    const handle = await env.generations.start(testPlan(generationId, 3, { strategy: { mode: 'parallel' } }));
    await waitForProgress(handle, (p) => p.totals.running === 3);
    await handle.workflow.terminate('operator pulled the plug');

    const progress = await handle.progress();
    assert.equal(progress.status, 'terminated');
    assert.deepEqual(
      progress.scenes.map((s) => s.status),
      ['cancelled', 'cancelled', 'cancelled']
    );
    assert.equal(progress.etaAt, null);
    const status = await scenegate(['status', generationId], cliEnv);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /terminated · 0\/3 done/);
    const listed = await waitUntil('the run listed', async () =>
      (await env.generations.list()).find((r) => r.id === generationId)
    );
    assert.equal(listed.status, 'terminated');
    const generating = await env.generations.list({ status: 'generating' });
    assert.ok(!generating.some((r) => r.id === generationId), 'a terminated run is not listed as generating');
    const terminated = await waitUntil('listed as terminated', async () =>
      (await env.generations.list({ status: 'terminated' })).some((r) => r.id === generationId)
    );
    assert.ok(terminated);
  });
});

test('a gate scene a person rejected for good ends failed, not scoring, in the final state', async () => {
  const generationId = id('rejected');
  await env.withWorker(async () => {
    const plan = testPlan(generationId, 2, { gate: { enabled: true, scorer: 'manual', maxAttempts: 1 } });
    const handle = await env.generations.start(plan);
    const waiting = await waitForProgress(handle, (p) => p.status === 'awaiting_approval');
    assert.equal(waiting.etaAt, null, 'no expected finish while waiting for a person');
    assert.deepEqual(waiting.waitingOn, [{ kind: 'approval', sceneIds: ['s1'] }]);
    const answer = await handle.rejectGate('wrong coat');
    assert.match(answer.message, /that was the last attempt at s1: the generation fails as GateRejected/);
    await assert.rejects(handle.result(), isWorkflowFailure(FailureType.GateRejected, /wrong coat/));
    const state = (await handle.workflow.describe()).memo?.finalState as FinalState;
    assert.deepEqual(
      state.scenes.map((s) => s.status),
      ['failed', 'pending']
    );
    assert.equal(state.scenes[0]!.history[0]!.status, 'missed');
    assert.equal(state.scenes[0]!.history[0]!.note, 'wrong coat');
  });
});

test('an approved gate scene ends succeeded; the finished run has no expected finish and no waits', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(
      testPlan(id('approved'), 2, { gate: { enabled: true, scorer: 'manual' } })
    );
    await waitForProgress(handle, (p) => p.status === 'awaiting_approval');
    await handle.approveGate('on model');
    const result = await handle.result();
    assert.deepEqual(
      result.scenes.map((s) => s.status),
      ['succeeded', 'succeeded']
    );
    const progress = await handle.progress();
    assert.equal(progress.etaAt, null);
    assert.equal(progress.waitingFor, null);
    assert.equal(progress.totals.percent, 100);
  });
});

test('no expected finish at 0 done; percent agrees with the counts; the Web UI details are short and read as written', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { hold: true });
  const generationId = id('eta');
  const plan = testPlan(generationId, 5, {
    strategy: { mode: 'pool', concurrency: 2 },
    onSceneFailure: 'await-ops',
    retry: { maxAttemptsPerScene: 1 },
  });
  plan.scenes[4]!.prompt = 'DOOMED five';
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    const first = await waitForProgress(handle, (p) => p.totals.running === 2);
    assert.equal(first.etaAt, null, 'no pace yet at 0 of 5');
    await waitUntil('two held', () => env.emulator.held().length === 2);
    env.emulator.release(1);
    const one = await waitForProgress(handle, (p) => p.totals.done === 1);
    assert.ok(
      one.etaAt !== null && Date.parse(one.etaAt) >= Date.parse(one.updatedAt),
      'an expected finish once a scene is done'
    );
    env.emulator.configure('scenegate/ip-adapter-video', { hold: false });
    env.emulator.release();
    // s5 may fail while s4 still runs: the generation waits for an operator from then on
    const ops = await waitForProgress(handle, (p) => p.status === 'awaiting_ops' && p.totals.running === 0);
    assert.equal(ops.etaAt, null, 'no expected finish while waiting for an operator');
    assert.deepEqual(ops.totals, { scenes: 5, done: 4, failed: 1, skipped: 0, running: 0, percent: 80 });
    const details = await currentDetails(generationId);
    assert.ok(!details.includes('$') && !/\d\/\d/.test(details), details);
    assert.match(details, /\*\*awaiting_ops\*\* · 4 of 5 done \(80%\)/);
    assert.match(details, /\*\*Waiting for\*\* an operator for s5 \(update retryScene, skipScene or abort\)/);
    assert.match(details, /succeeded: s1, s2, s3, s4 · awaiting_ops: s5/);
    await handle.skipScene('s5');
    const result = await handle.result();
    assert.equal(result.status, 'partial');
    const done = await handle.progress();
    assert.deepEqual(done.totals, { scenes: 5, done: 4, failed: 0, skipped: 1, running: 0, percent: 80 });
    const status = await scenegate(['status', generationId], cliEnv);
    assert.match(status.stdout, /partial · 4\/5 done, 1 skipped \(80%\)/);
  });
});

test("a gate scene's strength is the one its clip was made with, and a failed model run is a failed activity", async () => {
  await env.withWorker(async () => {
    const plan = testPlan(id('strength'), 2, {
      gate: { enabled: true, scorer: 'local', threshold: 0.99, maxAttempts: 2, strengthStep: 0.1, onFail: 'fail' },
    });
    for (const group of plan.consistencyGroups) group.strength = 0.1;
    const handle = await env.generations.start(plan);
    await assert.rejects(handle.result(), isWorkflowFailure(FailureType.GateFailed));
    const state = (await handle.workflow.describe()).memo?.finalState as FinalState;
    const gate = state.scenes[0]!;
    assert.deepEqual(
      gate.history.map((a) => a.strength),
      [0.1, 0.2]
    );
    assert.equal(gate.strength, 0.2, 'the clip on show was made at 0.2; 0.3 would be an attempt never made');
    assert.equal(gate.status, 'failed');
  });

  const doomed = testPlan(id('doomed'), 1, { retry: { maxAttemptsPerScene: 1 } });
  doomed.scenes[0]!.prompt = 'DOOMED';
  await env.withWorker(async () => {
    const handle = await env.generations.start(doomed);
    await assert.rejects(handle.result(), isWorkflowFailure(FailureType.SceneFailed));
    const events = (await handle.workflow.fetchHistory()).events ?? [];
    const failed = events.flatMap(
      (e) => e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type ?? []
    );
    assert.deepEqual(failed, [FailureType.PredictionFailed], 'the Web UI shows the failed run as a failed activity');
  });
});
