/**
 * References re-uploaded before their Files API URLs expire (issue 22, item 7). In the dress
 * rehearsal an upload is gone at its `expires_at` and a model given its URL fails, as on hosted
 * Replicate; here uploads live 2.5 s and scene 1 takes 3 s, so scene 2 of a sequential plan is
 * created after the first uploads expired.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createActivities } from '../../activities';
import { createReplicateClient } from '../../activities/replicate/client';
import { FailureType } from '../../schema/failures';
import { isWorkflowFailure } from '../helpers/failures';
import { recordHistory } from '../helpers/histories';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

const MODEL = 'scenegate/ip-adapter-video';
const FILE_TTL_MS = 2500;
let env: GenerationEnv;

before(async () => {
  env = await useGenerationEnv(import.meta.url, { dressRehearsal: true, fileTtlMs: FILE_TTL_MS });
  env.emulator.configure(MODEL, { render: 'none', latency: { kind: 'fixed', ms: FILE_TTL_MS + 500 } });
});
after(async () => {
  await env?.teardown();
});

const plan = (id: string) =>
  testPlan(`${id}-${Date.now()}`, 2, {
    strategy: { mode: 'sequential' },
    retry: { maxAttemptsPerScene: 1 },
    onSceneFailure: 'fail-fast',
  });

const uploads = (): number =>
  env.emulator.stats().requestLog.filter((r) => r.method === 'POST' && r.path === '/v1/files').length;

test('each attempt uploads the references again when they would expire during it; every scene gets URLs that work', async () => {
  const before = { uploads: uploads(), predictions: env.emulator.stats().predictions.length };
  const result = await env.withWorker(async () => {
    const handle = await env.generations.start(plan('renewal'));
    const done = await handle.result();
    await recordHistory('renew-expiring-references-sequential', handle.workflow);
    return done;
  });
  assert.equal(result.status, 'succeeded');
  const replicate = createReplicateClient(env.deps.connection);
  const made = env.emulator.stats().predictions.slice(0, env.emulator.stats().predictions.length - before.predictions);
  assert.equal(made.length, 2);
  const sent = await Promise.all(
    made.map(
      async (p) => ((await replicate.predictions.get(p.id)).input as { reference_images: string[] }).reference_images
    )
  );
  assert.notDeepEqual(sent[0], sent[1], 'scene 2 was sent URLs uploaded after scene 1 began');
  // two images prepared, then uploaded again before each of the two attempts
  assert.equal(uploads() - before.uploads, 2 + 2 * 2);
});

test('without the renewal, scene 2 is sent expired URLs and its model fails on them', async () => {
  const activities = { ...createActivities(env.deps), renewReferences: async () => ({ renewed: [] }) };
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan('no-renewal'));
    await assert.rejects(handle.result(), isWorkflowFailure(FailureType.SceneFailed, /expired or deleted file/));
  }, activities);
});
