/**
 * A webhook that beats its create's answer: a model done in a moment (the CLIP scorer, the dress
 * rehearsal's models) ends, and Replicate posts its end, before the create's answer reaches the
 * worker. The end is kept until the create names its prediction, then confirmed by a read at once
 * (`keep-early-reports`); before, it was dropped and the scene waited for a read at the model's
 * typical time (Seedance: minutes), which is how the dress rehearsal's matrix hung.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createReplicateClient } from '../../activities/replicate/client';
import { recordHistory } from '../helpers/histories';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

const SEEDANCE = 'bytedance/seedance-2.0';
let env: GenerationEnv;

before(async () => {
  env = await useGenerationEnv(import.meta.url, { dressRehearsal: true });
  // ends at once, and its create's answer is held back five seconds: the webhook comes first
  const quick = { render: 'none' as const, startingMs: 0, latency: { kind: 'fixed' as const, ms: 0 } };
  env.emulator.configure(SEEDANCE, quick);
  // the first no-render clip of a length is made once with ffmpeg: made here, so the scene's ends at once
  const replicate = createReplicateClient(env.deps.connection);
  let warm = await replicate.predictions.create({ model: SEEDANCE, input: { prompt: 'warm-up', duration: 4 } });
  while (!['succeeded', 'failed'].includes(warm.status)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    warm = await replicate.predictions.get(warm.id);
  }
  assert.equal(warm.status, 'succeeded', String(warm.error));
  env.emulator.configure(SEEDANCE, { ...quick, createAnswerDelayMs: 5000 });
});
after(async () => {
  await env?.teardown();
});

test("an end reported before the create's answer is kept once the create names its prediction", async () => {
  const base = testPlan(`early-webhook-${Date.now()}`, 1, {
    model: SEEDANCE,
    // longer than the test may take, shorter than Seedance's typical time: only a kept report ends the scene in time
    timeouts: { heartbeat: '5s', predictionCheck: '2s', sceneAttempt: '150s' },
  });
  const plan = { ...base, scenes: base.scenes.map((s) => ({ ...s, durationSec: 4 })) };
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    const history = await handle.workflow.fetchHistory();
    const markers = (history.events ?? []).flatMap((e) =>
      Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((d) =>
        (d.payloads ?? []).map((p) => Buffer.from(p.data ?? []).toString())
      )
    );
    assert.ok(
      markers.some((m) => m.includes('keep-early-reports')),
      `the early report was kept (markers: ${markers.join(', ')})`
    );
    const progress = await handle.progress();
    assert.equal(progress.scenes[0]!.history[0]!.status, 'succeeded');
    await recordHistory('keep-early-reports-webhook-first', handle.workflow);
  });
});
