import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { probeMedia } from '../../media/ffmpeg';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
});
after(async () => {
  await env.teardown();
});

test('a generation runs to a final video', async () => {
  const result = await env.withWorker(async () => {
    const handle = await env.generations.start(
      testPlan(`smoke-${Date.now()}`, 3, { gate: { enabled: true, scorer: 'local', threshold: 0.5 } })
    );
    return handle.result();
  });
  assert.equal(result.videoPath, `${result.generationId}/final.mp4`, 'history carries a storage key, not a path');
  const info = await probeMedia(await env.deps.storage.localFile(result.videoPath));
  assert.ok(Math.abs(info.durationSec - 6) < 0.5, `a 6 s video, got ${info.durationSec} s`);
  assert.equal(result.status, 'succeeded');
});
