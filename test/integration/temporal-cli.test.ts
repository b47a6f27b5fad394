/**
 * Operators without the scenegate CLI use the `temporal` CLI: start a generation from a plan
 * file, read its progress, and answer it with signals and updates by their contract names.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { projectRoot } from '../../common/paths';
import { findTemporalCli } from '../../devenv/temporal-cli';
import type { PlanInput } from '../../schema/plan';
import { applicationFailureOf, isWorkflowFailure } from '../helpers/failures';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { runCommand, scenegate, type CliRun } from '../helpers/run-cli';
import { waitForProgress, waitUntil } from '../helpers/wait';

let env: GenerationEnv;
let temporalCli: string;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
  env.emulator.configure('scenegate/ip-adapter-video', {
    render: 'none',
    latency: { kind: 'fixed', ms: 200 },
    failWhenPromptIncludes: 'DOOMED',
  });
  temporalCli = await findTemporalCli();
});
after(async () => {
  await env.teardown();
});

function temporal(...args: string[]): Promise<CliRun> {
  return runCommand(temporalCli, [
    ...args,
    '--address',
    env.temporal.env.address,
    '--namespace',
    env.temporal.env.namespace ?? 'default',
  ]);
}

/** `temporal workflow update execute` or `signal` by the contract's names, with a JSON payload. */
const update = (workflowId: string, name: string, input: unknown): Promise<CliRun> =>
  temporal(
    'workflow',
    'update',
    'execute',
    '--workflow-id',
    workflowId,
    '--name',
    name,
    '--input',
    JSON.stringify(input)
  );
const signal = (workflowId: string, name: string, input: unknown): Promise<CliRun> =>
  temporal('workflow', 'signal', '--workflow-id', workflowId, '--name', name, '--input', JSON.stringify(input));

/** Starts a plan file as an operator would; without `workflowId` the CLI picks one, which is returned. */
async function startFile(file: string, workflowId?: string): Promise<string> {
  const idArgs = workflowId ? ['--workflow-id', workflowId] : [];
  const start = await temporal(
    'workflow',
    'start',
    '--type',
    'generateVideo',
    '--task-queue',
    env.taskQueue,
    ...idArgs,
    '--input-file',
    file
  );
  assert.equal(start.code, 0, start.stderr);
  const started = /WorkflowId\s+(\S+)/.exec(start.stdout)?.[1];
  assert.ok(started, `no workflow id in: ${start.stdout}`);
  return started;
}

async function startWithTemporalCli(plan: PlanInput, workflowId?: string): Promise<string> {
  const file = path.join(env.storageDir, `plan-${Date.now()}.json`);
  await fs.writeFile(file, JSON.stringify(plan));
  return startFile(file, workflowId);
}

test('a bad plan started from the temporal CLI fails at once, naming the field, without retrying', async () => {
  const workflowId = `tcli-bad-${Date.now()}`;
  const plan = testPlan(workflowId, 3);
  plan.scenes[2]!.entities = ['heroo'];
  await env.withWorker(async () => {
    await startWithTemporalCli(plan, workflowId);
    const result = await temporal('workflow', 'result', '--workflow-id', workflowId);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /scenes\[2\]\.entities\[0\]: unknown consistency group "heroo"/);
    const handle = env.temporal.env.client.workflow.getHandle(workflowId);
    await assert.rejects(handle.result(), isWorkflowFailure('InvalidPlan', /^scenes\[2\]\.entities\[0\]/));
    const events = (await handle.fetchHistory()).events ?? [];
    assert.equal(events.filter((e) => e.workflowTaskFailedEventAttributes).length, 0, 'no workflow task retries');
    assert.equal(events.filter((e) => e.activityTaskScheduledEventAttributes).length, 0, 'nothing was paid for');
  });
});

test('plans the scenegate CLI refuses are refused by the workflow too, with the same words, before anything is paid', async () => {
  // the model is named: the CLI cannot know which default a worker would pick, the worker checks that case itself
  const noEntities = { ...testPlan('x', 2), model: 'scenegate/ip-adapter-video' };
  noEntities.scenes[1]!.entities = [];
  const cases: [string, (plan: PlanInput) => PlanInput, RegExp][] = [
    [
      'zero-timeout',
      (p) => ({ ...p, timeouts: { sceneAttempt: 0 } }),
      /^timeouts\.sceneAttempt: must be longer than 0$/,
    ],
    [
      'misspelt-key',
      (p) => ({ ...p, stratgy: { mode: 'sequential' } }) as PlanInput,
      /^unknown key "stratgy" \(did you mean "strategy"\?\)$/,
    ],
    [
      'gate-without-references',
      (p) => ({
        ...p,
        gate: { enabled: true },
        scenes: p.scenes.map((s, i) => (i === 0 ? { ...s, entities: [] } : s)),
      }),
      /^scenes\[0\]\.entities: the gate checks scene 1 against its references/,
    ],
    [
      'model-needs-references',
      () => noEntities,
      /^scenes\[1\]\.entities: scenegate\/ip-adapter-video needs at least 1 reference image/,
    ],
  ];
  await env.withWorker(async () => {
    for (const [name, spoil, message] of cases) {
      const workflowId = `tcli-refused-${name}-${Date.now()}`;
      const plan = spoil(testPlan(workflowId, 2));
      const file = path.join(env.storageDir, `${name}.json`);
      await fs.writeFile(file, JSON.stringify(plan));

      const cli = await scenegate(['generate', file], {
        TEMPORAL_ADDRESS: env.temporal.env.address,
        SCENEGATE_TASK_QUEUE: env.taskQueue,
      });
      assert.equal(cli.code, 2, `${name}: ${cli.stderr}`);
      assert.match(cli.stderr.trim().replace(/^scenegate: [^:]+\.json: /, ''), message, name);

      await startFile(file, workflowId);
      const handle = env.temporal.env.client.workflow.getHandle(workflowId);
      await assert.rejects(handle.result(), (err: unknown) => {
        const failure = applicationFailureOf(err);
        assert.ok(failure.type === 'InvalidPlan' || failure.type === 'InvalidReference', `${name}: ${failure.type}`);
        assert.match(failure.message, message, name);
        return true;
      });
      const events = (await handle.fetchHistory()).events ?? [];
      assert.equal(
        events.filter((e) => e.workflowTaskFailedEventAttributes).length,
        0,
        `${name}: no workflow task retries`
      );
      const activities = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
      assert.ok(
        activities.every((a) => a === 'prepareGeneration'),
        `${name}: nothing paid was scheduled (${activities.join(', ')})`
      );
    }
  });
  assert.equal(env.emulator.stats().predictionsCreated, 0);
  // a plan refused by the workflow lists as failed with its scene count, not as "unknown 0/0"
  const listed = await waitUntil('the refused runs listed', async () => {
    const rows = (await env.generations.list({ status: 'failed' })).filter((r) => r.id.startsWith('tcli-refused-'));
    return rows.length === cases.length && rows;
  });
  assert.ok(
    listed.every((r) => r.total === 2 && r.done === 0),
    JSON.stringify(listed)
  );
});

test('an example plan file started as it is, with no workflow id, runs to its final MP4', async () => {
  const file = path.join(projectRoot, 'examples', 'plans', 'parallel-no-gate.json');
  await env.withWorker(async () => {
    const workflowId = await startFile(file);
    const result = await (await env.generations.get(workflowId)).result();
    assert.equal(result.status, 'succeeded');
    assert.equal(result.durationSec, 8);
    assert.ok((await fs.stat(await env.deps.storage.localFile(result.videoPath))).size > 0);
  });
});

test('query, signal and updates by their contract names carry a generation to its final MP4', async () => {
  const plan = testPlan(`tcli-ops-${Date.now()}`, 3, {
    gate: { enabled: true, scorer: 'manual' },
    onSceneFailure: 'await-ops',
    retry: { maxAttemptsPerScene: 1 },
    strategy: { mode: 'sequential', concurrency: 1 },
    budget: { limitUsd: 0.25 },
  });
  plan.scenes[1]!.prompt = 'DOOMED two';
  await env.withWorker(async () => {
    // no --workflow-id: the id the CLI picks names the generation
    const workflowId = await startWithTemporalCli(plan);
    assert.notEqual(workflowId, plan.generationId);
    const handle = await env.generations.get(workflowId);
    await waitForProgress(handle, (p) => p.status === 'awaiting_approval');

    const query = await temporal('workflow', 'query', '--workflow-id', workflowId, '--name', 'progress');
    assert.equal(query.code, 0, query.stderr);
    assert.match(query.stdout, /"status":\s*"awaiting_approval"/);

    const approve = await update(workflowId, 'approveGate', { note: 'looks right' });
    assert.equal(approve.code, 0, approve.stderr);
    assert.match(approve.stdout, /gate approved for scene s1/);

    // s1 and the failed s2 cost $0.10 each, so s3 waits for money while s2 waits for an operator
    await waitForProgress(handle, (p) => p.status === 'awaiting_budget' && p.scenes[1]!.status === 'awaiting_ops');
    const refused = await update(workflowId, 'skipScene', { sceneId: 's9' });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /there is no scene \\"s9\\".*type: UpdateRefused/);
    const skip = await update(workflowId, 'skipScene', { sceneId: 's2' });
    assert.equal(skip.code, 0, skip.stderr);

    const raise = await signal(workflowId, 'raiseBudget', { amountUsd: 1 });
    assert.equal(raise.code, 0, raise.stderr);
    const result = await temporal('workflow', 'result', '--workflow-id', workflowId);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /"status":\s*"partial"/);
    const final = await handle.result();
    assert.equal(final.generationId, workflowId);
    assert.deepEqual(
      final.scenes.map((s) => s.status),
      ['succeeded', 'skipped', 'succeeded']
    );
    assert.equal(final.limitUsd, 1.25);
    assert.ok((await fs.stat(await env.deps.storage.localFile(final.videoPath))).size > 0, 'the final MP4 was written');
    assert.equal(final.durationSec, 4);
  });
});
