/**
 * The consistency check after the gate on the real server: the emulator draws another person
 * (the `drift` knob) into one scene of a parallel run, and the check catches it, with each
 * `consistency.onDrift`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { createActivities } from '../../activities';
import { UpdateRefusedError } from '../../client/generation-client';
import { projectRoot } from '../../common/paths';
import { scoreConsistency } from '../../media/consistency';
import { runFfmpeg } from '../../media/ffmpeg';
import type { Notification } from '../../schema/notification';
import type { Progress } from '../../schema/progress';
import { currentDetails } from '../../workflows/rules/status';
import { recordHistory } from '../helpers/histories';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { waitForProgress, waitUntil } from '../helpers/wait';

const MODEL = 'scenegate/ip-adapter-video';
const mara = path.join(projectRoot, 'examples', 'references', 'mara.png');

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
  // scene 4's first attempt draws another person where Mara belongs
  env.emulator.configure(MODEL, { drift: { promptIncludes: 'scene 4:', attempts: 1 } });
});
after(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await env.teardown();
});

const id = (name: string): string => `${name}-${Date.now()}`;

/** `scenes` scenes of `seconds` each, scene 1 gated, the rest released together; every scene checked. */
function driftPlan(name: string, scenes: number, seconds: number, consistency: Record<string, unknown>) {
  const plan = testPlan(id(name), scenes, {
    strategy: { mode: 'parallel' },
    gate: { enabled: true, threshold: 0.6, maxAttempts: 3 },
    consistency,
  });
  for (const scene of plan.scenes) scene.durationSec = seconds;
  return plan;
}

/** What the emulator billed, in whole micro-dollars as the ledger books each bill. */
const billedUsd = (): number =>
  env.emulator.stats().predictions.reduce((micros, p) => micros + Math.round(p.costUsd * 1e6), 0) / 1e6;

const checksOf = (p: Progress, sceneId: string) =>
  (p.consistency?.checks ?? []).filter((c) => c.sceneId === sceneId).map((c) => [c.verdict, c.outcome]);

/** Scores seconds [from, from + seconds) of the final video against Mara's reference with the local scorer. */
async function scoreSegment(videoPath: string, from: number, seconds: number): Promise<number> {
  const video = await env.deps.storage.localFile(videoPath);
  const segment = path.join(env.storageDir, `segment-${Date.now()}.mp4`);
  await runFfmpeg(['-y', '-ss', String(from), '-t', String(seconds), '-i', video, '-an', segment]);
  const { perReference } = await scoreConsistency({ clipPath: segment, referencePaths: [mara] });
  await fs.rm(segment, { force: true });
  return perReference[0]!.score;
}

test('regenerate: the drift in scene 4 of a 6-scene parallel run is made again once, booked = billed, and the video shows Mara', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(driftPlan('check-every-scene-regenerate', 6, 2, {}));
    const result = await handle.result();
    const progress = await handle.progress();
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(result.driftedScenes, []);

    const s4 = result.scenes.find((s) => s.id === 's4')!;
    assert.equal(s4.attempts, 2, 'scene 4 made twice');
    assert.deepEqual(
      s4.history.map((a) => a.status),
      ['missed', 'succeeded']
    );
    assert.ok(s4.history[1]!.strength > s4.history[0]!.strength, 'the remake is one step stronger');
    assert.deepEqual(checksOf(progress, 's4'), [
      ['drift', 'regenerated'],
      ['pass', 'kept'],
    ]);
    const [drifted, remade] = progress.consistency!.checks.filter((c) => c.sceneId === 's4');
    assert.ok(drifted!.score < 0.6 && remade!.score >= 0.6, `scene 4 scored ${drifted!.score} then ${remade!.score}`);
    // every other scene was made once and checked once (scene 1 by the gate, then not again)
    for (const scene of result.scenes.filter((s) => s.id !== 's4')) assert.equal(scene.attempts, 1, scene.id);
    assert.deepEqual(progress.consistency!.sceneIds, ['s1', 's2', 's3', 's4', 's5', 's6']);
    assert.equal(progress.consistency!.checks.length, 6, 'scenes 2 to 6 checked, scene 4 twice');
    assert.equal(env.emulator.stats().predictionsCreated, 7);

    assert.equal(result.costUsd, billedUsd(), 'booked = billed');
    assert.equal(result.costUsd, 0.7, 'seven 2-second attempts at $0.05 a second');

    const score = await scoreSegment(result.videoPath, 6, 2);
    assert.ok(score >= 0.6, `scene 4 of the final video scores ${score}`);
    await recordHistory('check-every-scene-regenerate', handle.workflow);
  });
});

// the decisions need no more than four 1-second scenes: a loaded machine runs the file within its time
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
    assert.equal(result.costUsd, billedUsd(), 'booked = billed');
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
    assert.equal(result.costUsd, billedUsd(), 'booked = billed');
    const progress = await handle.progress();
    assert.deepEqual(checksOf(progress, 's4'), [['drift', 'flagged']]);
    assert.match(currentDetails(progress), /\*\*Drifted\*\* s4 \(below the consistency threshold 0\.6\)/);
    const score = await scoreSegment(result.videoPath, 3, 1);
    assert.ok(score < 0.6, `the flagged scene 4 of the final video scores ${score}`);
    await recordHistory('check-every-scene-flag', handle.workflow);
  });
});
