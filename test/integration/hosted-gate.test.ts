/**
 * The CLIP gate on hosted Replicate, in the emulator's dress rehearsal: the CLIP model downloads
 * each image URL itself with no token (as clip-features' own code does, and as the rehearsal makes
 * every community model do), so a Files API URL gives it nothing. With a bucket the worker hands it presigned URLs and the gate
 * works; without one, `clip` is refused at plan time, before anything is paid.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createActivities } from '../../activities';
import { createReplicateClient, replicateConnection } from '../../activities/replicate/client';
import { S3Storage } from '../../common/storage/s3';
import { startObjectStore, versitygwTool, type ObjectStore } from '../../devenv/cluster/object-store';
import { findOrBuildGoTool } from '../../devenv/go-tool';
import { FailureType } from '../../schema/failures';
import { isWorkflowFailure } from '../helpers/failures';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

const TOKEN = 'r8_hosted_gate_token';
const CLIP = 'andreasjansson/clip-features';
let env: GenerationEnv;
let store: ObjectStore;
let dir: string;
let connection: ReturnType<typeof replicateConnection>;

before(
  async () => {
    const tool = await findOrBuildGoTool(versitygwTool, { log: (line) => console.error(line) });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-hosted-gate-'));
    store = await startObjectStore({ dir: path.join(dir, 's3'), executable: tool.executables.versitygw! });
    env = await useGenerationEnv(import.meta.url, { token: TOKEN, dressRehearsal: true });
    env.emulator.configure('bytedance/seedance-2.0', { render: 'none', latency: { kind: 'fixed', ms: 0 } });
    env.emulator.configure(CLIP, { latency: { kind: 'fixed', ms: 0 } });
    connection = replicateConnection({ token: TOKEN, baseUrl: env.emulator.baseUrl, emulatorToken: 'unused' });
  },
  { timeout: 30 * 60_000 }
);
after(async () => {
  await env?.teardown();
  await store?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Two 4 s scenes (Seedance, the hosted default, makes 4 to 15 s) behind a gate. */
function plan(id: string, gate: Record<string, unknown>) {
  const base = testPlan(`${id}-${Date.now()}`, 2, { gate: { enabled: true, ...gate } });
  return { ...base, scenes: base.scenes.map((s) => ({ ...s, durationSec: 4 })) };
}

function hostedActivities(storage: 'bucket' | 'folder') {
  return createActivities({
    ...env.deps,
    connection,
    replicate: createReplicateClient(connection),
    ...(storage === 'bucket'
      ? {
          storage: new S3Storage({
            bucket: store.bucket,
            prefix: 'hosted-gate/',
            region: store.region,
            endpoint: store.endpoint,
            credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
            cacheDir: path.join(dir, 'cache'),
          }),
        }
      : {}),
  });
}

test('a Files API URL gives the hosted CLIP model no image: its prediction fails', async () => {
  const replicate = createReplicateClient(connection);
  const bytes = await fs.readFile(path.join(import.meta.dirname, '..', '..', 'examples', 'references', 'mara.png'));
  const file = (await replicate.files.create(new File([new Uint8Array(bytes)], 'mara.png', { type: 'image/png' }))) as {
    urls: { get: string };
  };
  const created = await replicate.predictions.create({ model: CLIP, input: { inputs: file.urls.get } });
  let seen = created;
  while (!['succeeded', 'failed', 'canceled'].includes(seen.status)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen = await replicate.predictions.get(created.id);
  }
  assert.equal(seen.status, 'failed');
  assert.match(String(seen.error), /cannot identify image file/);
});

test('with a bucket, a gated plan on the hosted default scores with CLIP when asked, on presigned URLs, and passes', async () => {
  const earlier = new Set(env.emulator.stats().predictions.map((p) => p.id));
  const result = await env.withWorker(async () => {
    const handle = await env.generations.start(plan('hosted-clip', { scorer: 'clip', threshold: 0 }));
    const done = await handle.result();
    const progress = await handle.progress();
    assert.equal(progress.model, 'bytedance/seedance-2.0');
    assert.equal(progress.gate.status, 'passed');
    assert.equal(progress.gate.scores.length, 1, 'the gate scene was scored');
    return done;
  }, hostedActivities('bucket'));
  assert.equal(result.status, 'succeeded');
  const scored = env.emulator.stats().predictions.filter((p) => p.model === CLIP && !earlier.has(p.id));
  assert.deepEqual(
    scored.map((p) => p.status),
    ['succeeded'],
    'the model read every frame and reference it was given'
  );
});

test('without a bucket, clip is refused at plan time naming gate.scorer; nothing is created', async () => {
  const before = env.emulator.stats().predictionsCreated;
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan('hosted-clip-nobucket', { scorer: 'clip' }));
    await assert.rejects(
      handle.result(),
      isWorkflowFailure(
        FailureType.InvalidPlan,
        /^gate\.scorer: "clip" needs .* set SCENEGATE_S3_BUCKET .* or use "manual"/
      )
    );
  }, hostedActivities('folder'));
  assert.equal(env.emulator.stats().predictionsCreated, before);
});
