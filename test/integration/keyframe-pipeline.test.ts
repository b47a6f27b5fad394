/**
 * Keyframes first on the real server (issue 18): each scene attempt is a keyframe image, judged
 * before any money goes on its clip, then the clip animating it. The emulator draws another
 * person into a chosen keyframe (its `drift` knob); the keyframe check makes that keyframe again
 * and the clip is paid once per scene.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { billedUsd } from '../helpers/drift';
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

const keyframePlan = (name: string, scenes: number) =>
  testPlan(`${name}-${Date.now()}`, scenes, {
    pipeline: 'keyframe',
    strategy: { mode: 'parallel' },
    gate: { enabled: true, threshold: 0.6, maxAttempts: 3, scorer: 'local' },
  });

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
  });
});
