/**
 * The consistency check after the gate on the real server, the acceptance of issue 21: the
 * emulator draws another person (the `drift` knob) into scene 4 of a 6-scene parallel run, and
 * the check catches it and has it made again. The other `onDrift` answers are in
 * consistency-decisions.test.ts (a file each, so a loaded machine runs each within its time).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { billedUsd, checksOf, driftPlan, driftSceneFour, scoreSegment } from '../helpers/drift';
import { recordHistory } from '../helpers/histories';
import { useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
});
beforeEach(() => {
  env.emulator.reset();
  driftSceneFour(env);
});
after(async () => {
  await env.teardown();
});

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
    // every other scene was made once; scene 1 was judged by the gate and not checked again
    for (const scene of result.scenes.filter((s) => s.id !== 's4')) assert.equal(scene.attempts, 1, scene.id);
    assert.deepEqual(progress.consistency!.sceneIds, ['s1', 's2', 's3', 's4', 's5', 's6']);
    assert.equal(progress.consistency!.checks.length, 6, 'scenes 2 to 6 checked, scene 4 twice');
    assert.equal(env.emulator.stats().predictionsCreated, 7);

    assert.equal(result.costUsd, billedUsd(env), 'booked = billed');
    assert.equal(result.costUsd, 0.7, 'seven 2-second attempts at $0.05 a second');

    const score = await scoreSegment(env, result.videoPath, 6, 2);
    assert.ok(score >= 0.6, `scene 4 of the final video scores ${score}`);
    await recordHistory('check-every-scene-regenerate', handle.workflow);
  });
});
