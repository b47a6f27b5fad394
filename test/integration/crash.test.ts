/**
 * Workers killed with SIGKILL at random moments 0-300 ms after a prediction is created, at
 * least 30 times across several generations: every prediction the emulator created is one the
 * workflow recorded (none paid twice, none forgotten), and what each generation booked is what
 * the emulator billed it. Keyframe attempts, two paid steps each: crash-keyframes.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCrashes } from '../helpers/crash-run';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

const KILLS = 30;
let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
  env.emulator.configure('scenegate/ip-adapter-video', {
    render: 'none',
    startingMs: 20,
    latency: { kind: 'uniform', minMs: 100, maxMs: 900 },
    // most kills then land while a create's answer is on its way: created, but not yet known to the worker
    createAnswerDelayMs: 150,
  });
});
after(async () => {
  await env.teardown();
});

test(`${KILLS} kills of the worker 0-300 ms after creates: nothing paid twice, nothing forgotten, booked = billed`, async () => {
  const run = await runCrashes(env, KILLS, (generationId) => {
    const plan = testPlan(generationId, 4, {
      strategy: { mode: 'pool', concurrency: 2 },
      timeouts: { heartbeat: '2s', predictionCheck: '1s' },
    });
    plan.scenes.forEach((s) => (s.prompt = `${generationId} ${s.id}`));
    return plan;
  });
  assert.ok(run.killsAfter.length >= KILLS, `${run.killsAfter.length} kills`);
  assert.ok(run.adopted >= 1, 'some kills landed while a create was answered, so the retry had something to find');
  console.log(
    `# crash test: ${run.killsAfter.length} kills, ${run.results.length} generations, ${run.predictions} predictions, ${run.adopted} creates adopted by a retry, 0 duplicates`
  );
});
