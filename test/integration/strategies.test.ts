/**
 * Each strategy on the real server, with the emulator holding every prediction until the test
 * releases it: what is in flight is asserted at moments the test chose, never from timing.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { GenerationHandle } from '../../client/generation-client';
import type { Strategy } from '../../schema/plan';
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
    latency: { kind: 'fixed', ms: 0 },
    msPerOutputSecond: 0,
    hold: true,
  });
});
after(async () => {
  await env.teardown();
});

const scenes = 6;
/** The scene a held prediction is for, read from its prompt ("scene 3: ..."). */
const sceneOf = (prompt: string): string => `s${/^scene (\d+):/.exec(prompt)?.[1]}`;
const held = (): { id: string; scene: string }[] =>
  env.emulator
    .stats()
    .predictions.filter((p) => env.emulator.held().includes(p.id))
    .map((p) => ({ id: p.id, scene: sceneOf(p.prompt) }));

/** Waits until exactly `count` predictions are held and the workflow counts as many running; returns their scenes. */
async function inFlight(handle: GenerationHandle, count: number): Promise<string[]> {
  await waitForProgress(handle, (p) => p.totals.running === count);
  const scenesHeld = await waitUntil(`${count} held predictions`, () => held().length === count && held());
  return scenesHeld.map((h) => h.scene).sort();
}

/** Releases one scene's prediction and waits until the workflow has recorded it done (and decided what to start next). */
async function finish(handle: GenerationHandle, scene: string): Promise<void> {
  const prediction = held().find((h) => h.scene === scene);
  assert.ok(prediction, `scene ${scene} is not in flight`);
  const before = (await handle.progress()).totals.done;
  env.emulator.release([prediction.id]);
  await waitForProgress(handle, (p) => p.totals.done === before + 1);
}

async function start(name: string, strategy: Strategy): Promise<GenerationHandle> {
  return env.generations.start(testPlan(`${name}-${Date.now()}`, scenes, { strategy }));
}

test('sequential: one prediction in flight at a time, in plan order', async () => {
  await env.withWorker(async () => {
    const handle = await start('sequential', { mode: 'sequential', concurrency: 3 });
    for (let i = 1; i <= scenes; i++) {
      assert.deepEqual(await inFlight(handle, 1), [`s${i}`]);
      assert.equal(env.emulator.stats().predictionsCreated, i, 'nothing started ahead of its turn');
      await finish(handle, `s${i}`);
    }
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    await recordHistory('strategy-sequential', handle.workflow);
  });
});

test('batched: a batch starts only when every scene of the one before has finished', async () => {
  await env.withWorker(async () => {
    const handle = await start('batched', { mode: 'batched', concurrency: 2 });
    assert.deepEqual(await inFlight(handle, 2), ['s1', 's2']);
    await finish(handle, 's1');
    // s1 is done and s2 still runs: the next batch waits
    assert.equal((await handle.progress()).totals.running, 1);
    assert.equal(env.emulator.stats().predictionsCreated, 2);
    await finish(handle, 's2');
    assert.deepEqual(await inFlight(handle, 2), ['s3', 's4']);
    await finish(handle, 's4');
    assert.equal(env.emulator.stats().predictionsCreated, 4, 's5 waits for s3 although s4 is done');
    await finish(handle, 's3');
    assert.deepEqual(await inFlight(handle, 2), ['s5', 's6']);
    env.emulator.release();
    assert.equal((await handle.result()).status, 'succeeded');
    await recordHistory('strategy-batched', handle.workflow);
  });
});

test('pool: the next scene starts the moment any one finishes', async () => {
  await env.withWorker(async () => {
    const handle = await start('pool', { mode: 'pool', concurrency: 3 });
    assert.deepEqual(await inFlight(handle, 3), ['s1', 's2', 's3']);
    await finish(handle, 's2');
    assert.deepEqual(await inFlight(handle, 3), ['s1', 's3', 's4']);
    await finish(handle, 's4');
    assert.deepEqual(await inFlight(handle, 3), ['s1', 's3', 's5']);
    assert.equal(env.emulator.stats().predictionsCreated, 5, 'never more than three at once');
    env.emulator.release();
    await inFlight(handle, 1);
    env.emulator.release();
    assert.equal((await handle.result()).status, 'succeeded');
    await recordHistory('strategy-pool', handle.workflow);
  });
});

test('parallel: every scene at once; results in plan order whatever order they finish in', async () => {
  await env.withWorker(async () => {
    const handle = await start('parallel', { mode: 'parallel', concurrency: 1 });
    assert.deepEqual(await inFlight(handle, scenes), ['s1', 's2', 's3', 's4', 's5', 's6']);
    for (const scene of ['s6', 's5', 's4', 's3', 's2', 's1']) await finish(handle, scene);
    const result = await handle.result();
    assert.deepEqual(
      result.scenes.map((s) => s.id),
      ['s1', 's2', 's3', 's4', 's5', 's6']
    );
    assert.ok(result.scenes.every((s, i) => s.clipPath?.endsWith(`s${i + 1}-a1.mp4`)));
    const completed = [...env.emulator.stats().predictions]
      .sort((a, b) => Date.parse(a.completedAt!) - Date.parse(b.completedAt!))
      .map((p) => sceneOf(p.prompt));
    assert.deepEqual(completed, ['s6', 's5', 's4', 's3', 's2', 's1'], 'they finished in reverse');
    await recordHistory('strategy-parallel', handle.workflow);
  });
});
