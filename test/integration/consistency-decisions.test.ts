/**
 * The consistency check's other answers to a drift on the real server: a person asked (and
 * notified), and a flag. Four 1-second scenes are enough; the drift is in scene 4.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { createActivities } from '../../activities';
import { UpdateRefusedError } from '../../client/generation-client';
import { ExitCode } from '../../common/run-main';
import type { Notification } from '../../schema/notification';
import { currentDetails } from '../../workflows/rules/status';
import { billedUsd, checksOf, driftPlan, driftSceneFour, scoreSegment } from '../helpers/drift';
import { recordHistory } from '../helpers/histories';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { scenegate, type CliRun } from '../helpers/run-cli';
import { waitForProgress, waitUntil } from '../helpers/wait';

let env: GenerationEnv;
const notified: Notification[] = [];
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    notified.push(JSON.parse(Buffer.concat(chunks).toString()) as Notification);
    res.writeHead(200).end();
  });
});
before(async () => {
  env = await useGenerationEnv(import.meta.url);
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
beforeEach(() => {
  env.emulator.reset();
  driftSceneFour(env);
});
after(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await env.teardown();
});

test('await-approval: a person is notified and asked; rejecting remakes scene 4, an early or wrong decision is refused', async () => {
  const activities = createActivities({
    ...env.deps,
    notifyUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(
      driftPlan('check-every-scene-await-approval', 4, 1, { onDrift: 'await-approval' })
    );
    await assert.rejects(handle.approveScene('s4'), (err: unknown) => {
      assert.ok(err instanceof UpdateRefusedError);
      assert.match(err.message, /not waiting for a decision on its drift/);
      return true;
    });
    // a safety net for a broken run on a loaded machine, not a claim about speed
    const waiting = await waitForProgress(handle, (p) => p.waitingOn.some((w) => w.kind === 'drift'), 180_000);
    assert.equal(waiting.status, 'awaiting_approval');
    assert.deepEqual(waiting.waitingOn, [{ kind: 'drift', sceneIds: ['s4'] }]);
    assert.match(waiting.waitingFor ?? '', /approve-scene/);
    const asked = await waitUntil('the drift notification', () =>
      notified.find((n) => n.generationId === handle.id && n.event === 'waiting')
    );
    assert.match(asked.text, /a decision on drifted scene s4/);
    await assert.rejects(handle.rejectScene('s2', 'no'), UpdateRefusedError);

    const answer = await handle.rejectScene('s4', 'that is not Mara');
    assert.match(answer.message, /made again/);
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(result.driftedScenes, []);
    assert.equal(result.scenes.find((s) => s.id === 's4')!.attempts, 2);
    assert.deepEqual(checksOf(await handle.progress(), 's4'), [
      ['drift', 'rejected'],
      ['pass', 'kept'],
    ]);
    assert.equal(result.costUsd, billedUsd(env), 'booked = billed');
    await recordHistory('check-every-scene-await-approval', handle.workflow);
  }, activities);
});

test('flag: the drifted scene keeps its clip, costs nothing more, and is named in the result and the Web UI details', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(driftPlan('check-every-scene-flag', 4, 1, { onDrift: 'flag' }));
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(result.driftedScenes, ['s4']);
    assert.equal(env.emulator.stats().predictionsCreated, 4, 'nothing made again');
    assert.equal(result.costUsd, billedUsd(env), 'booked = billed');
    const progress = await handle.progress();
    assert.deepEqual(checksOf(progress, 's4'), [['drift', 'flagged']]);
    assert.match(currentDetails(progress), /\*\*Drifted\*\* s4 \(below the consistency threshold 0\.6\)/);
    const score = await scoreSegment(env, result.videoPath, 3, 1);
    assert.ok(score < 0.6, `the flagged scene 4 of the final video scores ${score}`);
    await recordHistory('check-every-scene-flag', handle.workflow);
  });
});

test('the CLI: approve-scene and reject-scene answer a drifted scene; status and watch show the check and the drift', async () => {
  const cli = (...args: string[]): Promise<CliRun> =>
    scenegate(args, { TEMPORAL_ADDRESS: env.temporal.env.address, SCENEGATE_TASK_QUEUE: env.taskQueue });
  // `local`: the emulator's clips paste the references in (see driftPlan)
  const plan = testPlan(`cli-drift-${Date.now()}`, 4, {
    gate: { enabled: false, scorer: 'local' },
    consistency: { onDrift: 'await-approval' },
  });
  for (const scene of plan.scenes) scene.durationSec = 1;
  const file = path.join(env.storageDir, 'cli-drift.json');
  await fs.writeFile(file, JSON.stringify(plan));
  await env.withWorker(async () => {
    assert.equal((await cli('generate', file, '--id', plan.generationId!)).code, 0);
    const handle = await env.generations.get(plan.generationId!);
    // a safety net for a broken run on a loaded machine, not a claim about speed
    await waitForProgress(handle, (p) => p.waitingOn.some((w) => w.kind === 'drift'), 180_000);
    const status = await cli('status', handle.id);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /s1 .* checked$/m);
    assert.match(status.stdout, /s4 .* drift \(mara 0\.\d+ < 0\.6\): waiting for a person/);
    const wrong = await cli('reject-scene', handle.id, 's1', '--reason', 'not her');
    assert.equal(wrong.code, ExitCode.invalidInput);
    assert.match(wrong.stderr, /scene s1 is not waiting for a decision on its drift \(waiting: s4\)/);
    const keep = await cli('approve-scene', handle.id, 's4', '--note', 'close enough');
    assert.equal(keep.code, 0, keep.stderr);
    assert.match(keep.stdout, /scene s4 keeps its clip \(approved: close enough\)/);
    const watch = await cli('watch', handle.id);
    assert.equal(watch.code, 0, watch.stderr);
    assert.match(watch.stdout, /drifted scenes s4 \(below the consistency threshold\)/);
    const late = await cli('reject-scene', handle.id, 's4', '--reason', 'x');
    assert.equal(late.code, ExitCode.alreadyEnded, late.stderr);
  });
});
