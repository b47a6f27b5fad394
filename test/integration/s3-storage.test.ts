/**
 * Object storage against a real S3 server (versitygw, built once per machine into the user's
 * cache): objects round-trip between two workers that share nothing but the bucket, keys cannot
 * leave their space, presigned links open with byte ranges, and a generation whose gate ran on
 * one worker is finished by another with an empty cache.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createActivities } from '../../activities';
import { S3Storage } from '../../common/storage/s3';
import { keyFor, StorageKeyError } from '../../common/storage/storage';
import { startObjectStore, versitygwTool, type ObjectStore } from '../../devenv/cluster/object-store';
import { findOrBuildGoTool } from '../../devenv/go-tool';
import { probeMedia } from '../../media/ffmpeg';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { waitForProgress } from '../helpers/wait';

let env: GenerationEnv;
let store: ObjectStore;
let dir: string;
before(
  async () => {
    const tool = await findOrBuildGoTool(versitygwTool, { log: (line) => console.error(line) });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-s3-'));
    store = await startObjectStore({ dir: path.join(dir, 's3'), executable: tool.executables.versitygw! });
    env = await useGenerationEnv(import.meta.url);
  },
  { timeout: 30 * 60_000 }
);
after(async () => {
  await env?.teardown();
  await store?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

/** A worker's view of the bucket: its own cache folder, nothing else shared. */
function workerStorage(name: string): S3Storage {
  return new S3Storage({
    bucket: store.bucket,
    prefix: 'test/',
    region: store.region,
    endpoint: store.endpoint,
    credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
    cacheDir: path.join(dir, name, 'cache'),
  });
}

test('an object one worker stores another reads; keys stay in their space; a presigned link opens with ranges, for people at their own endpoint', async () => {
  const a = workerStorage('worker-a');
  const b = workerStorage('worker-b');
  const key = keyFor('gen-s3', 'clips', 's1-a1.mp4');
  const bytes = Buffer.from('not really a video, but bytes all the same');
  assert.equal(await a.put(key, bytes), bytes.length);
  const copy = await b.localFile(key);
  assert.ok(copy.startsWith(path.join(dir, 'worker-b', 'cache')), copy);
  assert.deepEqual(await fs.readFile(copy), bytes);

  const scratch = await a.scratchFile(keyFor('gen-s3', 'final.mp4'));
  await fs.writeFile(scratch, 'the final video');
  await a.putFile(keyFor('gen-s3', 'final.mp4'), scratch);
  await assert.rejects(fs.access(scratch), 'the scratch file became the cached copy');
  assert.equal(await fs.readFile(await b.localFile('gen-s3/final.mp4'), 'utf8'), 'the final video');

  for (const bad of ['../escape.mp4', '/etc/passwd', 'gen//x', '']) {
    await assert.rejects(a.localFile(bad), StorageKeyError, bad);
  }

  const url = await a.location(key, 60);
  assert.match(url, /X-Amz-Signature=/);
  const whole = await fetch(url);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('content-type'), 'video/mp4');
  assert.deepEqual(Buffer.from(await whole.arrayBuffer()), bytes);
  const part = await fetch(url, { headers: { range: 'bytes=0-2' } });
  assert.equal(part.status, 206);
  assert.equal(await part.text(), 'not');
  assert.equal((await fetch(url.replace(/X-Amz-Signature=\w+/, 'X-Amz-Signature=00'))).status, 403);

  // behind a name only people use (docker-compose's localhost port for its `s3` service): links for
  // people are signed for that host and open there; links for services keep the bucket's own
  const behindAName = new S3Storage({
    bucket: store.bucket,
    prefix: 'test/',
    region: store.region,
    endpoint: store.endpoint,
    publicEndpoint: store.endpoint.replace('127.0.0.1', 'localhost'),
    credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
    cacheDir: path.join(dir, 'worker-c', 'cache'),
  });
  const forPeople = new URL(await behindAName.location(key, 60));
  const forServices = new URL(await behindAName.location(key, 60, 'services'));
  assert.equal(forPeople.hostname, 'localhost');
  assert.equal(forServices.host, new URL(store.endpoint).host);
  assert.deepEqual(Buffer.from(await (await fetch(forPeople)).arrayBuffer()), bytes);
  assert.equal((await fetch(forServices)).status, 200);
  // a signature covers the host: the people's link moved back to the bucket's own name is refused
  forPeople.host = new URL(store.endpoint).host;
  assert.equal((await fetch(forPeople)).status, 403);
});

test('the gate runs on one worker, the rest on another with an empty cache; the video is an object with a link', async () => {
  const plan = testPlan(`s3-handover-${Date.now()}`, 3, { gate: { enabled: true, scorer: 'manual' } });
  const first = createActivities({ ...env.deps, storage: workerStorage('gen-worker-a') });
  const handle = await env.withWorker(async () => {
    const started = await env.generations.start(plan);
    await waitForProgress(started, (p) => p.status === 'awaiting_approval');
    return started;
  }, first);
  const second = workerStorage('gen-worker-b');
  let clipKey = '';
  const result = await env.withWorker(
    async () => {
      const progress = await handle.progress();
      clipKey = progress.scenes[0]!.clipPath!;
      assert.equal(clipKey, `${plan.generationId}/clips/s1-a1.mp4`, 'history carries a key, not a path');
      assert.ok(progress.references.every((r) => !path.isAbsolute(r.path)));
      await handle.approveGate();
      return handle.result();
    },
    createActivities({ ...env.deps, storage: second })
  );
  assert.equal(result.status, 'succeeded');
  // worker b assembled clip s1, which only worker a had made: it came from the bucket
  await fs.access(path.join(dir, 'gen-worker-b', 'cache', ...clipKey.split('/')));
  const video = await fetch(await second.location(result.videoPath, 60));
  assert.equal(video.status, 200);
  const downloaded = path.join(dir, 'downloaded.mp4');
  await fs.writeFile(downloaded, Buffer.from(await video.arrayBuffer()));
  assert.ok(Math.abs((await probeMedia(downloaded)).durationSec - 6) < 0.5, 'the final video, 3 × 2 s, from its link');
});
