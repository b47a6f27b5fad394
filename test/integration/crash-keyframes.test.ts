/**
 * The crash test with keyframe attempts (issue 18): two paid predictions per attempt, a keyframe
 * then its clip, and workers killed with SIGKILL 0-300 ms after creates of either, at least 30
 * times: every prediction created is one the workflow recorded, none twice, booked = billed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCrashes } from '../helpers/crash-run';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

const KILLS = 30;
let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
  for (const model of ['scenegate/ip-adapter-image', 'scenegate/image-to-video']) {
    env.emulator.configure(model, {
      render: 'none',
      startingMs: 20,
      latency: { kind: 'uniform', minMs: 100, maxMs: 900 },
      // most kills then land while a create's answer is on its way: created, but not yet known to the worker
      createAnswerDelayMs: 150,
    });
  }
});
after(async () => {
  await env.teardown();
});

test(`${KILLS} kills after keyframe and clip creates: nothing paid twice, nothing forgotten, booked = billed`, async () => {
  const run = await runCrashes(env, KILLS, (generationId) => {
    const plan = testPlan(generationId, 4, {
      pipeline: 'keyframe',
      // every keyframe is checked; the emulator's drawn references are scored by what they are: pixels
      gate: { enabled: false, scorer: 'local' },
      strategy: { mode: 'pool', concurrency: 2 },
      timeouts: { heartbeat: '2s', predictionCheck: '1s' },
    });
    plan.scenes.forEach((s) => (s.prompt = `${generationId} ${s.id}`));
    return plan;
  });
  const afterKeyframes = run.killsAfter.filter((m) => m === 'scenegate/ip-adapter-image').length;
  const afterClips = run.killsAfter.filter((m) => m === 'scenegate/image-to-video').length;
  assert.ok(run.killsAfter.length >= KILLS, `${run.killsAfter.length} kills`);
  assert.ok(
    afterKeyframes >= 5 && afterClips >= 5,
    `kills after ${afterKeyframes} keyframe and ${afterClips} clip creates`
  );
  assert.ok(run.adopted >= 1, 'some kills landed while a create was answered, so the retry had something to find');
  console.log(
    `# crash test, keyframes: ${run.killsAfter.length} kills (${afterKeyframes} after keyframe creates, ${afterClips} after clip creates), ${run.results.length} generations, ${run.predictions} predictions, ${run.adopted} creates adopted by a retry, 0 duplicates`
  );
});
