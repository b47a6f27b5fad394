import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import Replicate, { validateWebhook, type Prediction } from 'replicate';
import { createReplicateClient, replicateConnection } from '../../activities/replicate/client';
import { projectRoot } from '../../common/paths';
import { startEmulator, type Emulator } from '../../emulator';
import { probeMedia } from '../../media/ffmpeg';
import { scoreConsistency } from '../../media/consistency';

let emulator: Emulator;
let replicate: Replicate;
let dir: string;
const mara = path.join(projectRoot, 'examples', 'references', 'mara.png');

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'emulator-test-'));
  emulator = await startEmulator({ dataDir: dir, outputTtlMs: 1500 });
  replicate = new Replicate({ auth: emulator.token, baseUrl: emulator.baseUrl, useFileOutput: false });
});
beforeEach(() => emulator.reset());
after(async () => {
  await emulator.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function waitFor(id: string, statuses = ['succeeded', 'failed', 'canceled', 'aborted']): Promise<Prediction> {
  for (;;) {
    const p = await replicate.predictions.get(id);
    if (statuses.includes(p.status)) return p;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function uploadMara(): Promise<string> {
  const file = new File([await fs.readFile(mara)], 'mara.png', { type: 'image/png' });
  return ((await replicate.files.create(file)) as { urls: { get: string } }).urls.get;
}

async function problem(response: Response): Promise<Record<string, unknown>> {
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  return (await response.json()) as Record<string, unknown>;
}

const api = (route: string, init: RequestInit = {}, token = emulator.token): Promise<Response> =>
  fetch(`${emulator.baseUrl}${route}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });

test('a prediction created by model runs to a playable clip of the requested length', async () => {
  const reference = await uploadMara();
  const created = await replicate.predictions.create({
    model: 'scenegate/ip-adapter-video',
    input: { prompt: 'Mara waves', reference_images: [reference], duration: 3, seed: 7 },
  });
  assert.equal(created.status, 'starting');
  assert.match(created.id, /^[a-z0-9]{26}$/);
  for (const field of [
    'model',
    'version',
    'input',
    'output',
    'error',
    'logs',
    'source',
    'data_removed',
    'created_at',
    'started_at',
    'completed_at',
    'metrics',
    'urls',
  ]) {
    assert.ok(field in created, `prediction lacks ${field}`);
  }
  const done = await waitFor(created.id);
  assert.equal(done.status, 'succeeded');
  assert.ok((done.metrics?.predict_time ?? 0) > 0);
  const clip = path.join(dir, 'downloaded.mp4');
  await fs.writeFile(clip, Buffer.from(await (await fetch(done.output as string)).arrayBuffer()));
  const info = await probeMedia(clip);
  assert.ok(Math.abs(info.durationSec - 3) < 0.1, `duration ${info.durationSec}`);
  assert.equal(info.codec, 'h264');
});

test('a prediction created by version works, and the clip is deterministic for a seed', async () => {
  const reference = await uploadMara();
  const model = (await (await api('/models/scenegate/ip-adapter-video')).json()) as { latest_version: { id: string } };
  const input = { prompt: 'Mara waves', reference_images: [reference], duration: 1, seed: 3 };
  const a = await waitFor((await replicate.predictions.create({ version: model.latest_version.id, input })).id);
  const b = await waitFor((await replicate.predictions.create({ version: model.latest_version.id, input })).id);
  const bytes = async (p: Prediction): Promise<string> =>
    crypto
      .createHash('sha256')
      .update(Buffer.from(await (await fetch(p.output as string)).arrayBuffer()))
      .digest('hex');
  assert.equal(await bytes(a), await bytes(b));
  assert.equal(emulator.stats().createsByFingerprint[Object.keys(emulator.stats().createsByFingerprint)[0]!]!.count, 2);
});

test('cancel stops a running prediction and is counted', async () => {
  emulator.configure('scenegate/ip-adapter-video', { hangNext: 1 });
  const reference = await uploadMara();
  const p = await replicate.predictions.create({
    model: 'scenegate/ip-adapter-video',
    input: { prompt: 'x', reference_images: [reference] },
  });
  await waitFor(p.id, ['processing']);
  const canceled = await replicate.predictions.cancel(p.id);
  assert.equal(canceled.status, 'canceled');
  assert.equal(emulator.stats().cancellations, 1);
  assert.equal(emulator.stats().currentConcurrent, 0);
  assert.ok(emulator.stats().costUsd > 0, 'a run cancelled while processing is billed for its part');
});

test('list is newest first, pages with a cursor and filters by created_after', async () => {
  emulator.configure('andreasjansson/clip-features', { latency: { kind: 'fixed', ms: 0 } });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    ids.push(
      (await replicate.predictions.create({ model: 'andreasjansson/clip-features', input: { inputs: `text ${i}` } })).id
    );
    await new Promise((r) => setTimeout(r, 5));
  }
  const first = (await (await api('/predictions?page_size=2')).json()) as { next: string; results: Prediction[] };
  assert.deepEqual(
    first.results.map((p) => p.id),
    [ids[4], ids[3]]
  );
  const second = (await (
    await fetch(first.next, { headers: { authorization: `Bearer ${emulator.token}` } })
  ).json()) as { results: Prediction[] };
  assert.deepEqual(
    second.results.map((p) => p.id),
    [ids[2], ids[1]]
  );
  const third = (await replicate.predictions.get(ids[3]!)).created_at;
  const recent = (await (await api(`/predictions?created_after=${encodeURIComponent(third)}`)).json()) as {
    results: Prediction[];
  };
  assert.deepEqual(
    recent.results.map((p) => p.id),
    [ids[4], ids[3]]
  );
});

test('errors are problem bodies: 401, 404, 422 naming the field', async () => {
  const unauthorized = await api('/predictions', {}, 'r8_wrong');
  assert.equal(unauthorized.status, 401);
  assert.equal((await problem(unauthorized)).title, 'Unauthenticated');
  const missing = await api('/predictions/doesnotexist');
  assert.equal(missing.status, 404);
  await problem(missing);
  const invalid = await api('/models/kwaivgi/kling-v1.6-pro/predictions', {
    method: 'POST',
    body: JSON.stringify({ input: { prompt: 'x', duration: 7, reference_imagez: [] } }),
  });
  assert.equal(invalid.status, 422);
  const body = (await problem(invalid)) as { invalid_fields: { field: string; type: string }[] };
  assert.deepEqual(body.invalid_fields.map((f) => [f.type, f.field]).sort(), [
    ['enum', 'input.duration'],
    ['unknown_field', 'input.reference_imagez'],
  ]);
  const required = await api('/models/minimax/video-01/predictions', {
    method: 'POST',
    body: JSON.stringify({ input: {} }),
  });
  assert.match(String((await problem(required)).detail), /prompt is required/);
});

test('429 carries a Retry-After header and a retry_after field', async () => {
  emulator.configure('minimax/video-01', { rateLimitNext: 1, retryAfterSec: 7 });
  const response = await api('/models/minimax/video-01/predictions', {
    method: 'POST',
    body: JSON.stringify({ input: { prompt: 'x' } }),
  });
  assert.equal(response.status, 429);
  assert.equal(response.headers.get('retry-after'), '7');
  assert.equal((await problem(response)).retry_after, 7);
  assert.equal(emulator.stats().predictionsCreated, 0);
});

test('outputs expire: output null, data_removed true, the file 404s', async () => {
  const reference = await uploadMara();
  const p = await waitFor(
    (
      await replicate.predictions.create({
        model: 'scenegate/ip-adapter-video',
        input: { prompt: 'x', reference_images: [reference], duration: 1 },
      })
    ).id
  );
  const url = p.output as string;
  assert.equal((await fetch(url)).status, 200);
  await new Promise((r) => setTimeout(r, 1700));
  const later = await replicate.predictions.get(p.id);
  assert.equal(later.output, null);
  assert.equal(later.data_removed, true);
  assert.equal((await fetch(url)).status, 404);
});

test('Cancel-After aborts a prediction that has not started, unbilled', async () => {
  emulator.configure('minimax/video-01', { startingMs: 2000 });
  const response = await api('/models/minimax/video-01/predictions', {
    method: 'POST',
    headers: { 'cancel-after': '200ms' },
    body: JSON.stringify({ input: { prompt: 'x' } }),
  });
  const created = (await response.json()) as Prediction;
  assert.ok(created.deadline);
  const done = await waitFor(created.id);
  assert.equal(done.status, 'aborted');
  assert.equal(emulator.stats().costUsd, 0);
});

test('failNext ends a prediction failed with the model error text, billed', async () => {
  emulator.configure('minimax/video-01', { failNext: 1, render: 'none' });
  const p = await waitFor(
    (await replicate.predictions.create({ model: 'minimax/video-01', input: { prompt: 'x' } })).id
  );
  assert.equal(p.status, 'failed');
  assert.match(String(p.error), /E005/);
  assert.equal(emulator.stats().costUsd, 0.5);
});

test("a dropped connection after create: the stock client pays twice, scenegate's client once", async () => {
  emulator.configure('minimax/video-01', { dropAfterCreateNext: 1, render: 'none' });
  const stock = new Replicate({ auth: emulator.token, baseUrl: emulator.baseUrl });
  // the stock client re-sends the create after the network error, and the second one goes through
  await stock.predictions.create({ model: 'minimax/video-01', input: { prompt: 'stock' } });
  assert.equal(emulator.stats().predictionsCreated, 2, 'the stock client created (and paid for) two predictions');

  emulator.reset();
  emulator.configure('minimax/video-01', { dropAfterCreateNext: 1 });
  const connection = replicateConnection({ baseUrl: emulator.baseUrl, emulatorToken: emulator.token });
  const guarded = createReplicateClient(connection);
  await assert.rejects(guarded.predictions.create({ model: 'minimax/video-01', input: { prompt: 'guarded' } }));
  assert.equal(emulator.stats().predictionsCreated, 1);
  const listed = (await (await api('/predictions')).json()) as { results: Prediction[] };
  assert.ok(
    listed.results.some((p) => (p.input as { prompt?: string }).prompt === 'guarded'),
    'the prediction exists, to be reconciled'
  );
});

test('files upload and read back; the webhook secret has the whsec_ format', async () => {
  const url = await uploadMara();
  const id = url.split('/').at(-1)!;
  const meta = (await (await api(`/files/${id}`)).json()) as { size: number; content_type: string };
  assert.equal(meta.size, (await fs.readFile(mara)).length);
  assert.equal(meta.content_type, 'image/png');
  const secret = (await replicate.webhooks.default.secret.get()).key;
  assert.match(secret, /^whsec_/);
});

test('webhooks are signed the Standard Webhooks way and the terminal one is retried after a 500', async () => {
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const terminal = (JSON.parse(body) as Prediction).status === 'succeeded';
      res
        .writeHead(
          terminal && received.filter((r) => JSON.parse(r.body).status === 'succeeded').length === 1 ? 500 : 200
        )
        .end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as { port: number }).port;
  emulator.configure('minimax/video-01', { render: 'none' });
  const created = await replicate.predictions.create({
    model: 'minimax/video-01',
    input: { prompt: 'hooked' },
    webhook: `http://127.0.0.1:${port}/hook`,
    webhook_events_filter: ['completed'],
  });
  await waitFor(created.id);
  for (let i = 0; i < 50 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  receiver.close();
  assert.equal(received.length, 2, 'the terminal webhook was retried once after the 500');
  assert.equal(received[0]!.headers['webhook-id'], received[1]!.headers['webhook-id']);
  const secret = (await replicate.webhooks.default.secret.get()).key;
  const first = received[0]!;
  const signed = `${first.headers['webhook-id']}.${first.headers['webhook-timestamp']}.${first.body}`;
  const expected = crypto
    .createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
    .update(signed)
    .digest('base64');
  assert.equal(first.headers['webhook-signature'], `v1,${expected}`);
  // the replicate package's own validator agrees
  const valid = await validateWebhook(
    { headers: first.headers as Record<string, string>, body: first.body } as never,
    secret,
    crypto.webcrypto as never
  );
  assert.equal(valid, true);
});

test('the reference strength sets how much of the reference survives: the measured score rises with it', async () => {
  const reference = await uploadMara();
  const scores: number[] = [];
  for (const scale of [0.2, 0.5, 0.9]) {
    const p = await waitFor(
      (
        await replicate.predictions.create({
          model: 'scenegate/ip-adapter-video',
          input: { prompt: 'Mara', reference_images: [reference], ip_adapter_scale: scale, duration: 2, seed: 5 },
        })
      ).id
    );
    const clip = path.join(dir, `scale-${scale}.mp4`);
    await fs.writeFile(clip, Buffer.from(await (await fetch(p.output as string)).arrayBuffer()));
    scores.push((await scoreConsistency({ clipPath: clip, referencePaths: [mara] })).perReference[0]!.score);
  }
  assert.ok(scores[0]! < scores[1]! && scores[1]! < scores[2]!, `scores ${scores.join(' < ')}`);
  assert.ok(scores[2]! - scores[0]! > 0.3, `scores ${scores.join(', ')}`);
});

test('a request to an unknown route is recorded and survives reset, so the check below can fail', async () => {
  const other = await startEmulator({ dataDir: dir });
  try {
    const response = await fetch(`${other.baseUrl}/no/such/route`, {
      headers: { authorization: `Bearer ${other.token}` },
    });
    assert.equal(response.status, 404);
    other.reset();
    assert.deepEqual(other.stats().unknownRoutes, ['GET /v1/no/such/route']);
  } finally {
    await other.close();
  }
});

test('no request of this file reached an unknown route', () => {
  assert.deepEqual(emulator.stats().unknownRoutes, []);
});
