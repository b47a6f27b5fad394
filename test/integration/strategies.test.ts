import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Strategy } from '../../schema/plan';
import { recordHistory } from '../helpers/histories';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
});
beforeEach(() => env.emulator.reset());
after(async () => {
  await env.teardown();
});

/** Runs one 6-scene generation and returns what the emulator saw and how long the run took. */
async function run(name: string, strategy: Strategy, durations?: number[]) {
  const plan = testPlan(`${name}-${Date.now()}`, 6, { strategy });
  if (durations) plan.scenes.forEach((scene, i) => (scene.durationSec = durations[i]!));
  return env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    const result = await handle.result();
    const description = await handle.workflow.describe();
    await recordHistory(`strategy-${strategy.mode}`, handle.workflow);
    return {
      result,
      peak: env.emulator.stats().peakConcurrent,
      completionOrder: [...env.emulator.stats().predictions]
        .sort((a, b) => Date.parse(a.completedAt!) - Date.parse(b.completedAt!))
        .map((p) => p.id),
      wallMs: description.closeTime!.getTime() - description.startTime.getTime(),
    };
  });
}

const expectedPeaks: [Strategy, number][] = [
  [{ mode: 'sequential', concurrency: 3 }, 1],
  [{ mode: 'batched', concurrency: 2 }, 2],
  [{ mode: 'parallel', concurrency: 1 }, 6],
  [{ mode: 'pool', concurrency: 3 }, 3],
];

for (const [strategy, peak] of expectedPeaks) {
  test(`${strategy.mode} keeps ${peak} prediction(s) in flight at most, as the emulator saw`, async () => {
    env.emulator.configure('scenegate/ip-adapter-video', {
      render: 'none',
      latency: { kind: 'fixed', ms: 700 },
      msPerOutputSecond: 0,
    });
    const { result, peak: seen } = await run(strategy.mode, strategy);
    assert.equal(seen, peak);
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(
      result.scenes.map((s) => s.id),
      ['s1', 's2', 's3', 's4', 's5', 's6']
    );
  });
}

test('results come back in scene order whatever order scenes finish in', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', {
    render: 'none',
    latency: { kind: 'fixed', ms: 100 },
    msPerOutputSecond: 400,
  });
  const { result, completionOrder } = await run('order', { mode: 'parallel', concurrency: 1 }, [6, 5, 4, 3, 2, 1]);
  const predictionOrder = result.scenes.map((s) => s.predictionId);
  // Neighbours finish 400 ms apart, and on a loaded machine the creates themselves can be that far apart,
  // so only the ends (2 s apart) are asserted: the shortest scene, last in the plan, finished before the longest, first.
  assert.notDeepEqual(completionOrder, predictionOrder, 'the scenes finished out of plan order');
  assert.ok(completionOrder.indexOf(predictionOrder[5]!) < completionOrder.indexOf(predictionOrder[0]!));
  assert.deepEqual(
    result.scenes.map((s) => s.id),
    ['s1', 's2', 's3', 's4', 's5', 's6']
  );
  assert.ok(result.scenes.every((s, i) => s.clipPath?.includes(`s${i + 1}-a1.mp4`)));
});

test('with uneven scene times, pool finishes before batched', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', {
    render: 'none',
    latency: { kind: 'fixed', ms: 100 },
    msPerOutputSecond: 350,
  });
  const durations = [1, 6, 1, 6, 1, 6];
  const batched = await run('uneven-batched', { mode: 'batched', concurrency: 2 }, durations);
  env.emulator.reset();
  const pool = await run('uneven-pool', { mode: 'pool', concurrency: 2 }, durations);
  assert.ok(pool.wallMs < batched.wallMs - 1000, `pool took ${pool.wallMs} ms, batched ${batched.wallMs} ms`);
  assert.equal(pool.peak, 2);
  assert.equal(batched.peak, 2);
});
