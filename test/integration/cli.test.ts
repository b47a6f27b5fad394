import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { ExitCode } from '../../common/run-main';
import type { PlanInput } from '../../schema/plan';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { scenegate, startScenegate, type CliRun } from '../helpers/run-cli';
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
    latency: { kind: 'fixed', ms: 200 },
    failWhenPromptIncludes: 'DOOMED',
  });
});
after(async () => {
  await env.teardown();
});

const id = (name: string): string => `cli-${name}-${Date.now()}`;
const cli = (...args: string[]): Promise<CliRun> => scenegate(args, cliEnv);

async function writePlan(name: string, plan: PlanInput): Promise<string> {
  const file = path.join(env.storageDir, `${name}.json`);
  await fs.writeFile(file, JSON.stringify(plan));
  return file;
}

/** One clear sentence on stderr, never a stack trace. */
function assertOneSentence(run: CliRun, pattern: RegExp): void {
  assert.match(run.stderr, pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
}

test('error cases give one sentence and their own exit code', async () => {
  const badPlan = testPlan('x', 2);
  badPlan.scenes[1]!.entities = ['heroo'];
  const invalid = await cli('generate', await writePlan('invalid', badPlan));
  assert.equal(invalid.code, ExitCode.invalidInput);
  assertOneSentence(
    invalid,
    /^scenegate: invalid\.json: scenes\[1\]\.entities\[0\]: unknown consistency group "heroo"/
  );

  const missing = await cli('generate', '/nowhere/plan.json');
  assert.equal(missing.code, ExitCode.invalidInput);
  assertOneSentence(missing, /cannot read the plan file \/nowhere\/plan\.json/);

  const badArg = await cli('generate', await writePlan('ok', testPlan('y', 1)), '--concurrency', 'lots');
  assert.equal(badArg.code, ExitCode.invalidInput);
  assertOneSentence(badArg, /--concurrency must be a whole number from 1 to 64, got "lots"/);

  const budgetArgs = await cli('budget', 'some-id');
  assert.equal(budgetArgs.code, ExitCode.invalidInput);
  const noRaise = await cli('budget', 'some-id', '--raise', '0');
  assert.equal(noRaise.code, ExitCode.invalidInput);
  assertOneSentence(noRaise, /--raise must be more than 0 US dollars/);
  // the workflow would ignore it (a signal cannot answer): refused here, naming the field
  const hugeRaise = await cli('budget', 'some-id', '--raise', '1e308');
  assert.equal(hugeRaise.code, ExitCode.invalidInput);
  assertOneSentence(hugeRaise, /amountUsd: must be at most 1000000 US dollars/);

  const notFound = await cli('status', 'no-such-generation');
  assert.equal(notFound.code, ExitCode.notFound);
  assertOneSentence(notFound, /no generation with id no-such-generation/);

  const unreachable = await scenegate(['status', 'x'], { ...cliEnv, TEMPORAL_ADDRESS: '127.0.0.1:1' });
  assert.equal(unreachable.code, ExitCode.temporalUnreachable);
  assertOneSentence(unreachable, /cannot reach Temporal at 127\.0\.0\.1:1/);

  // whether or not this checkout's dev server runs, a bad profile is reported as such
  const badProfile = await scenegate(['list'], { ...cliEnv, TEMPORAL_ADDRESS: undefined, TEMPORAL_PROFILE: 'nope' });
  assert.equal(badProfile.code, ExitCode.temporalUnreachable);
  assertOneSentence(badProfile, /^scenegate: invalid Temporal connection settings: Profile 'nope' not found/);

  const unknown = await cli('frobnicate');
  assert.equal(unknown.code, ExitCode.invalidInput);
  assertOneSentence(unknown, /unknown command 'frobnicate'/);

  const foreignOption = await cli('status', 'some-id', '--raise', '1');
  assert.equal(foreignOption.code, ExitCode.invalidInput);
  assertOneSentence(foreignOption, /^scenegate: unknown option '--raise' \(see "scenegate status --help"\)\n$/);

  const noNamespace = await scenegate(['list'], { ...cliEnv, TEMPORAL_NAMESPACE: 'no-such-namespace' });
  assert.equal(noNamespace.code, ExitCode.temporalUnreachable);
  assertOneSentence(
    noNamespace,
    /^scenegate: the Temporal server has no namespace "no-such-namespace"; set TEMPORAL_NAMESPACE .*\n$/
  );

  const bogusStatus = await cli('list', '--status', 'bogus');
  assert.equal(bogusStatus.code, ExitCode.invalidInput);
  assertOneSentence(bogusStatus, /'bogus' is invalid\. Allowed choices are preparing, gating, awaiting_approval/);
});

test('a plan shows every problem, a reference image it cannot use included, each naming its field', async () => {
  const plan = testPlan('problems', 2);
  plan.scenes[1]!.entities = ['heroo'];
  plan.scenes[0]!.durationSec = 99;
  const twoProblems = await cli('generate', await writePlan('two-problems', plan));
  assert.equal(twoProblems.code, ExitCode.invalidInput);
  assert.match(
    twoProblems.stderr,
    /^scenegate: two-problems\.json: 2 problems:\n {2}- scenes\[0\]\.durationSec: .+\n {2}- scenes\[1\]\.entities\[0\]: unknown consistency group "heroo"/
  );

  const noImage = testPlan('no-image', 1);
  noImage.consistencyGroups[0]!.referenceImages.push(path.join(env.storageDir, 'no-such.png'));
  const refused = await cli('generate', await writePlan('no-image', noImage));
  assert.equal(refused.code, ExitCode.invalidInput);
  assertOneSentence(
    refused,
    new RegExp(
      `^scenegate: no-image\\.json: consistencyGroups\\[0\\]\\.referenceImages\\[1\\]: file not found: ${env.storageDir}/no-such\\.png\\n$`
    )
  );
});

test('generate --watch runs to the end; status, list and result read it back', async () => {
  const generationId = id('watch');
  await env.withWorker(async () => {
    const run = await scenegate(
      [
        'generate',
        await writePlan('watch', testPlan('ignored', 3)),
        '--id',
        generationId,
        '--strategy',
        'sequential',
        '--no-gate',
        '--watch',
      ],
      { ...cliEnv, TEMPORAL_UI_URL: 'http://ui.test:8233' }
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`generation ${generationId} started`));
    // watch says once what it watches, as status does
    assert.match(run.stdout, new RegExp(`^generation ${generationId} on .+, sequential, started \\d{4}-`, 'm'));
    assert.match(run.stdout, /3\/3 done \(100%\)/);
    assert.match(run.stdout, /video +\S+final\.mp4 \(6\.0 s\)/);

    const status = await cli('status', generationId);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /succeeded · 3\/3 done/);
    assert.match(run.stdout, /console +none running for this checkout \(start one: scenegate console\)\n/);
    assert.match(
      run.stdout,
      new RegExp(`Web UI +http://ui\\.test:8233/namespaces/default/workflows/${generationId}\\n`)
    );
    const list = await cli('list', '--status', 'succeeded');
    assert.match(list.stdout, /^ID +STATUS +SCENES +COST +STARTED\n/);
    assert.match(list.stdout, new RegExp(`\\n${generationId} +succeeded +3/3 +\\$0\\.30  \\d{4}-`));
    const result = await cli('result', generationId);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /contact sheet +\S+contact-sheet\.png/);
  });
});

test('operator commands act on a running generation: approve, budget, retry-scene, skip-scene', async () => {
  const plan = testPlan('ops', 4, {
    gate: { enabled: true, scorer: 'manual' },
    onSceneFailure: 'await-ops',
    retry: { maxAttemptsPerScene: 1 },
    strategy: { mode: 'sequential', concurrency: 1 },
    budget: { limitUsd: 0.35 },
  });
  plan.scenes[1]!.prompt = 'DOOMED two';
  plan.scenes[2]!.prompt = 'DOOMED three';
  const generationId = id('ops');
  await env.withWorker(async () => {
    assert.equal((await cli('generate', await writePlan('ops', plan), '--id', generationId)).code, 0);
    const handle = await env.generations.get(generationId);
    await waitForProgress(handle, (p) => p.status === 'awaiting_approval');
    const approve = await cli('approve', generationId, '--note', 'on model');
    assert.equal(approve.code, 0, approve.stderr);
    assert.match(approve.stdout, /gate approved for scene s1/);

    await waitForProgress(
      handle,
      (p) => p.scenes[1]!.status === 'awaiting_ops' && p.scenes[2]!.status === 'awaiting_ops'
    );
    const early = await cli('retry-scene', generationId, 's1');
    assert.equal(early.code, ExitCode.invalidInput);
    assertOneSentence(early, /scene s1 is succeeded; only a failed scene can be retried/);
    const retry = await cli('retry-scene', generationId, 's2', '--prompt', 'two, fixed', '--strength', '0.8');
    assert.equal(retry.code, 0, retry.stderr);
    assert.match(retry.stdout, /scene s2 queued for up to 1 more attempt with a new prompt, strength 0\.8/);
    const skip = await cli('skip-scene', generationId, 's3');
    assert.equal(skip.code, 0, skip.stderr);

    // s1, s2 (twice) and s4 cost $0.10 each: the last one waits for money
    await waitForProgress(handle, (p) => p.status === 'awaiting_budget');
    const raise = await cli('budget', generationId, '--raise', '0.3');
    assert.equal(raise.code, 0, raise.stderr);
    assert.match(raise.stdout, /raised by \$0\.30$/m);
    const watch = await cli('watch', generationId);
    assert.equal(watch.code, 0, watch.stderr);
    assert.match(watch.stdout, /done \(partial\)/);
    assert.match(watch.stdout, /skipped scenes s3/);

    for (const [args, nothingTo] of [
      [['approve', generationId], 'nothing to approve'],
      [['retry-scene', generationId, 's2'], 'nothing to retry'],
      [['budget', generationId, '--raise', '1'], 'its budget can no longer change'],
      [['cancel', generationId], 'nothing to cancel'],
    ] as const) {
      const late = await cli(...args);
      assert.equal(late.code, ExitCode.alreadyEnded, late.stderr);
      assert.equal(late.stderr, `scenegate: generation ${generationId} already ended (partial); ${nothingTo}\n`);
    }
  });
});

test('cancel and reject end generations; watch and result then exit with the failure code', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { latency: { kind: 'fixed', ms: 30_000 } });
  const cancelled = id('cancel');
  const rejected = id('reject');
  await env.withWorker(async () => {
    assert.equal((await cli('generate', await writePlan('c', testPlan('c', 2)), '--id', cancelled)).code, 0);
    const handle = await env.generations.get(cancelled);
    await waitForProgress(handle, (p) => p.totals.running > 0);
    const cancel = await cli('cancel', cancelled);
    assert.equal(cancel.code, 0, cancel.stderr);
    const watch = await cli('watch', cancelled);
    assert.equal(watch.code, ExitCode.generationFailed);
    assertOneSentence(watch, new RegExp(`generation ${cancelled} was cancelled`));

    env.emulator.configure('scenegate/ip-adapter-video', { latency: { kind: 'fixed', ms: 200 } });
    const plan = testPlan('r', 2, { gate: { enabled: true, scorer: 'manual', maxAttempts: 2 } });
    assert.equal((await cli('generate', await writePlan('r', plan), '--id', rejected)).code, 0);
    const gated = await env.generations.get(rejected);
    await waitForProgress(gated, (p) => p.status === 'awaiting_approval');
    const noReason = await cli('reject', rejected);
    assert.equal(noReason.code, ExitCode.invalidInput);
    // with the manual scorer a rejection is a miss: scene 1 is made again, stronger
    const first = await cli('reject', rejected, '--reason', 'not our Mara');
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /^gate rejected for scene s1; s1 is made again at strength [\d.]+ \(attempt 2 of 2\)\n$/
    );
    await waitForProgress(gated, (p) => p.status === 'awaiting_approval' && p.scenes[0]!.attempts === 2);
    const reject = await cli('reject', rejected, '--reason', 'still not her');
    assert.equal(reject.code, 0, reject.stderr);
    assert.match(reject.stdout, /that was the last attempt at s1: the generation fails as GateRejected\n$/);
    const result = await cli('watch', rejected);
    assert.equal(result.code, ExitCode.generationFailed);
    assertOneSentence(
      result,
      /failed \(GateRejected\): a person rejected gate scene s1 on all 2 attempts \(attempt 1 at strength [\d.]+: not our Mara; attempt 2 at strength [\d.]+: still not her\)/
    );
  });
});

test('Ctrl-C on watch leaves the generation running and says how to watch it again', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { latency: { kind: 'fixed', ms: 30_000 } });
  const generationId = id('detach');
  await env.withWorker(async () => {
    assert.equal((await cli('generate', await writePlan('detach', testPlan('d', 2)), '--id', generationId)).code, 0);
    const handle = await env.generations.get(generationId);
    await waitForProgress(handle, (p) => p.totals.running > 0);
    const watching = startScenegate(['watch', generationId], cliEnv);
    await waitUntil('the first progress lines', () => /s1/.test(watching.output().stdout));
    watching.child.kill('SIGINT');
    const watch = await watching.done;
    assert.equal(watch.code, ExitCode.interrupted);
    assert.equal(
      watch.stderr,
      `\nscenegate: stopped watching; generation ${generationId} goes on. Watch it again with: scenegate watch ${generationId}\n`
    );
    assert.equal(await handle.endedStatus(), undefined);
    await handle.cancel();
  });
});
