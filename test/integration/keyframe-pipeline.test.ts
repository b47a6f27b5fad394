/**
 * Keyframes first on the real server (issue 18): each scene attempt is a keyframe image, judged
 * before any money goes on its clip, then the clip animating it. The emulator draws another
 * person into a chosen keyframe (its `drift` knob); the keyframe check makes that keyframe again
 * and the clip is paid once per scene.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { UpdateRefusedError } from '../../client/generation-client';
import { billedUsd } from '../helpers/drift';
import { recordHistory } from '../helpers/histories';
import { waitForProgress, waitUntil } from '../helpers/wait';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
});
beforeEach(() => {
  env.emulator.reset();
});
after(async () => {
  await env.teardown();
});

const keyframePlan = (name: string, scenes: number, storyboard: 'approve' | 'auto' = 'auto') =>
  testPlan(`${name}-${Date.now()}`, scenes, {
    pipeline: 'keyframe',
    keyframe: { storyboard },
    strategy: { mode: 'parallel' },
    // the emulator's keyframes paste the references in: `local` measures exactly that
    gate: { enabled: true, threshold: 0.6, maxAttempts: 3, scorer: 'local' },
  });

const clipsMade = (): number =>
  env.emulator.stats().predictions.filter((p) => p.model === 'scenegate/image-to-video').length;

test('a drifted keyframe is made again before its clip is paid for: one clip per scene, booked = billed', async () => {
  env.emulator.configure('scenegate/ip-adapter-image', { drift: { promptIncludes: 'scene 3:', attempts: 1 } });
  await env.withWorker(async () => {
    const handle = await env.generations.start(keyframePlan('keyframe-drift', 4));
    const result = await handle.result();
    const progress = await handle.progress();
    assert.equal(result.status, 'succeeded');

    const predictions = env.emulator.stats().predictions;
    const byModel = (model: string) => predictions.filter((p) => p.model === model);
    assert.equal(byModel('scenegate/ip-adapter-image').length, 5, 'four keyframes, scene 3 twice');
    assert.equal(byModel('scenegate/image-to-video').length, 4, 'one clip per scene');

    const s3 = result.scenes.find((s) => s.id === 's3')!;
    assert.deepEqual(
      s3.history.map((a) => [a.status, a.step, a.clipPath === null]),
      [
        ['missed', 'keyframe', true],
        ['succeeded', 'animating', false],
      ]
    );
    assert.ok(s3.history[1]!.strength > s3.history[0]!.strength, 'the keyframe is made again one step stronger');
    const keyframeChecks = progress.consistency!.checks.filter((c) => c.sceneId === 's3' && c.of === 'keyframe');
    assert.deepEqual(
      keyframeChecks.map((c) => [c.verdict, c.outcome]),
      [
        ['drift', 'regenerated'],
        ['pass', 'kept'],
      ]
    );
    // the gate judged scene 1's keyframe; every other scene's keyframe was checked once, scene 3's twice
    assert.equal(progress.gate.scores.length, 1);
    assert.equal(progress.consistency!.checks.length, 4);

    // every prediction is one the workflow recorded, keyframes included
    const recorded = result.scenes.flatMap((s) =>
      s.history.flatMap((a) => [a.keyframePredictionId, a.predictionId].filter((id) => id))
    );
    assert.deepEqual([...new Set(recorded)].sort(), predictions.map((p) => p.id).sort());
    assert.equal(result.costUsd, billedUsd(env), 'booked = billed');
    assert.equal((await handle.progress()).budget.reservedUsd, 0, 'nothing left reserved');
    await recordHistory('keyframe-drift', handle.workflow);
  });
});

test('storyboard: every keyframe waits for a person; one is redone, then the release pays for the clips', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(keyframePlan('keyframe-storyboard', 3, 'approve'));
    const onBoard = (p: Awaited<ReturnType<typeof handle.progress>>) =>
      p.waitingOn.some((w) => w.kind === 'storyboard' && w.sceneIds.length === 3);
    let progress = await waitForProgress(handle, onBoard, 180_000);
    assert.equal(progress.status, 'awaiting_approval');
    assert.ok(progress.waitingFor!.includes(`scenegate release ${handle.workflow.workflowId}`), progress.waitingFor!);
    assert.equal(clipsMade(), 0, 'no clip is paid for while the storyboard waits');
    // both models are named, each for what it makes
    assert.deepEqual(
      [progress.keyframeModel, progress.model],
      ['scenegate/ip-adapter-image', 'scenegate/image-to-video']
    );

    await assert.rejects(handle.redoKeyframe('s9', 'no such scene'), UpdateRefusedError);
    const redo = await handle.redoKeyframe('s2', 'Mara faces away');
    assert.match(redo.message, /s2's keyframe is made again/);
    // the release waits until s2's new keyframe is on the storyboard again
    progress = await waitForProgress(
      handle,
      (p) => onBoard(p) && p.scenes.find((s) => s.id === 's2')!.attempts === 2,
      180_000
    );
    assert.equal(clipsMade(), 0);
    const released = await handle.releaseStoryboard('looks right');
    assert.match(released.message, /^storyboard released: 3 keyframes \(/);
    await assert.rejects(handle.releaseStoryboard(), UpdateRefusedError);

    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    assert.equal(clipsMade(), 3, 'one clip per scene, after the release');
    const s2 = result.scenes.find((s) => s.id === 's2')!;
    assert.deepEqual(
      s2.history.map((a) => a.status),
      ['missed', 'succeeded']
    );
    assert.match(s2.history[0]!.note!, /redone from the storyboard: Mara faces away/);
    assert.ok(s2.history[1]!.strength > s2.history[0]!.strength, 'the redo is one step stronger');
    assert.equal(result.costUsd, billedUsd(env), 'booked = billed');
    const final = await handle.progress();
    assert.deepEqual(final.storyboard, { status: 'released', sceneIds: [], note: 'looks right' });
    await recordHistory('keyframe-storyboard', handle.workflow);
  });
});

test('pool 2: keyframes and clips are both predictions the pool bounds: never more than two in flight', async () => {
  for (const model of ['scenegate/ip-adapter-image', 'scenegate/image-to-video']) {
    env.emulator.configure(model, { render: 'none', latency: { kind: 'fixed', ms: 0 }, hold: true });
  }
  await env.withWorker(async () => {
    const plan = keyframePlan('keyframe-pool', 4);
    plan.strategy = { mode: 'pool', concurrency: 2 };
    plan.gate = { enabled: false, scorer: 'local' };
    const handle = await env.generations.start(plan);
    const held = () => env.emulator.stats().predictions.filter((p) => env.emulator.held().includes(p.id));
    // two keyframes fill the pool; nothing else starts
    let now = await waitUntil('two held keyframes', () => held().length === 2 && held());
    assert.deepEqual(
      now.map((p) => p.model),
      ['scenegate/ip-adapter-image', 'scenegate/ip-adapter-image']
    );
    assert.equal(env.emulator.stats().predictionsCreated, 2);
    // a keyframe's end frees its slot: one more prediction starts (its clip, or the next keyframe), not two
    env.emulator.release([now[0]!.id]);
    now = await waitUntil('the slot filled again', () => held().length === 2 && held());
    assert.equal(env.emulator.stats().predictionsCreated, 3);
    // the rest, one release at a time: never more than two in flight
    for (let released = 1; released < 8; released++) {
      now = await waitUntil('a held prediction', () => held().length > 0 && held());
      assert.ok(now.length <= 2, `${now.length} predictions in flight: ${now.map((p) => p.model).join(', ')}`);
      const created = env.emulator.stats().predictionsCreated;
      env.emulator.release([now[0]!.id]);
      // what the release lets start has started, unless every prediction has been made
      await waitUntil('the next step', () => {
        const now = env.emulator.stats().predictionsCreated;
        return now > created || now === 8 || held().length >= 2;
      });
    }
    assert.equal((await handle.result()).status, 'succeeded');
    assert.equal(env.emulator.stats().predictionsCreated, 8, 'four keyframes and four clips');
  });
});

test('cancelling while keyframes run cancels them, pays for no clip, and leaves no money reserved', async () => {
  env.emulator.configure('scenegate/ip-adapter-image', { latency: { kind: 'fixed', ms: 60_000 } });
  await env.withWorker(async () => {
    const plan = keyframePlan('keyframe-cancel', 4);
    plan.gate = { enabled: false, scorer: 'local' };
    const handle = await env.generations.start(plan);
    await waitUntil(
      'four keyframes running',
      () => env.emulator.stats().predictions.filter((p) => p.status === 'processing').length === 4
    );
    await handle.cancel();
    await assert.rejects(handle.result());
    const progress = await handle.progress();
    assert.equal(progress.status, 'cancelled');
    assert.equal(progress.budget.reservedUsd, 0, "the clips' money, reserved with their keyframes, is given back");
    const stats = env.emulator.stats();
    assert.equal(stats.byStatus.canceled, 4);
    assert.equal(clipsMade(), 0);
    assert.equal(stats.currentConcurrent, 0, 'nothing is left running, or billing');
    assert.ok(progress.budget.spentUsd >= stats.costUsd, `booked ${progress.budget.spentUsd}, billed ${stats.costUsd}`);
  });
});
