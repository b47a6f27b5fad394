/** The HTTP paths of the activities' thread: the replicate client's single-shot fetch and output downloads. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Replicate from 'replicate';
import { downloadOutput, OutputGoneError, OutputRefusedError, providerOutputs } from '../../activities/download';
import { asHttpError } from '../../activities/replicate/errors';
import { singleShotFetch } from '../../activities/replicate/single-shot-fetch';

const hits = new Map<string, number>();
const hitsOf = (route: string): number => hits.get(route) ?? 0;
let base = '';
const server = http.createServer((req, res) => {
  const route = req.url ?? '';
  hits.set(route, (hits.get(route) ?? 0) + 1);
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    if (route === '/drop') {
      // the create arrived, its answer is lost
      req.socket.destroy();
    } else if (route === '/echo') {
      res.writeHead(201, { 'content-type': 'application/json', 'x-seen': req.method ?? '' });
      // the global fetch sends sec-fetch-mode; undici's request does not
      const via = req.headers['sec-fetch-mode'] ? 'fetch' : 'request';
      res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body, via }));
    } else if (route === '/v1/models/a/b/predictions') {
      res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' }).end('{"detail":"slow down"}');
    } else if (route === '/busy') {
      res.writeHead(429, { 'retry-after': '7' }).end('{"detail":"slow down"}');
    } else if (route === '/empty') {
      res.writeHead(204).end();
    } else if (route === '/clip.mp4') {
      res.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.alloc(300_000, 7));
    } else if (route === '/moved') {
      res.writeHead(302, { location: '/clip.mp4' }).end();
    } else if (route === '/away') {
      // the same server under another name: another origin
      res.writeHead(302, { location: base.replace('127.0.0.1', 'localhost') + '/elsewhere.mp4' }).end();
    } else {
      res.writeHead(404).end();
    }
  });
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

test('a repeat of the same request replays the first answer, each time as a fresh response', async () => {
  const fetch = singleShotFetch();
  const before = hitsOf('/echo');
  const init = { method: 'POST', headers: { Authorization: 'Bearer t' }, body: '{"a":1}' };
  const first = await fetch(`${base}/echo`, init);
  const again = await fetch(`${base}/echo`, init);
  assert.equal(hitsOf('/echo') - before, 1, 'the repeat did not reach the network');
  for (const response of [first, again]) {
    assert.equal(response.status, 201);
    assert.equal(response.statusText, 'Created');
    assert.equal(response.headers.get('x-seen'), 'POST');
    assert.deepEqual(await response.json(), { method: 'POST', auth: 'Bearer t', body: '{"a":1}', via: 'request' });
  }
  // another request (another init) is sent
  await (await fetch(`${base}/echo`, { method: 'GET' })).text();
  assert.equal(hitsOf('/echo') - before, 2);
});

test('a refusal keeps its status and Retry-After; a 204 has no body', async () => {
  const fetch = singleShotFetch();
  const busy = await fetch(`${base}/busy`, { method: 'POST', body: '{}' });
  assert.equal(busy.status, 429);
  assert.equal(busy.headers.get('retry-after'), '7');
  assert.equal(await busy.text(), '{"detail":"slow down"}');
  const empty = await fetch(`${base}/empty`, { method: 'DELETE' });
  assert.equal(empty.status, 204);
  assert.equal(empty.body, null);
});

test("through the replicate client: a refused create is sent once, and its status, Retry-After and detail reach scenegate's error", async () => {
  const replicate = new Replicate({ auth: 't', baseUrl: `${base}/v1`, fetch: singleShotFetch() });
  const before = hitsOf('/v1/models/a/b/predictions');
  const err = await replicate.predictions.create({ model: 'a/b', input: {} }).then(
    () => assert.fail('the create was refused'),
    (e: unknown) => e
  );
  assert.equal(
    hitsOf('/v1/models/a/b/predictions') - before,
    1,
    "the client's retry of a 429 did not reach the network"
  );
  assert.deepEqual(asHttpError(err), { status: 429, body: { detail: 'slow down' }, retryAfterSec: 7 });
});

test('a network error is replayed too, so a lost create is never sent twice', async () => {
  const fetch = singleShotFetch();
  const init = { method: 'POST', body: '{}' };
  await assert.rejects(fetch(`${base}/drop`, init));
  await assert.rejects(fetch(`${base}/drop`, init));
  assert.equal(hitsOf('/drop'), 1);
});

test('a multipart upload goes through fetch and is sent once', async () => {
  const fetch = singleShotFetch();
  const before = hitsOf('/echo');
  const form = new FormData();
  form.append('content', new Blob(['png']), 'a.png');
  const init = { method: 'POST', body: form };
  const first = await fetch(`${base}/echo`, init);
  const again = await fetch(`${base}/echo`, init);
  assert.equal(hitsOf('/echo') - before, 1);
  for (const response of [first, again]) {
    const seen = (await response.json()) as { body: string; via: string };
    assert.match(seen.body, /filename="a.png"/);
    assert.equal(seen.via, 'fetch');
  }
});

test('a download follows a redirect into the file; an expired output is OutputGoneError', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-download-'));
  try {
    const file = path.join(dir, 'clip.mp4');
    await downloadOutput(`${base}/moved`, file, providerOutputs(`${base}/v1`));
    assert.equal((await fs.stat(file)).size, 300_000);
    await assert.rejects(
      downloadOutput(`${base}/expired.mp4`, path.join(dir, 'gone.mp4'), providerOutputs(`${base}/v1`)),
      OutputGoneError
    );
    assert.equal(hitsOf('/expired.mp4'), 1, 'a gone output is not asked for again');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('outputs come only from https on replicate.delivery and its subdomains, or the configured API origin', () => {
  const hosted = providerOutputs('https://api.replicate.com/v1');
  const allowed = (url: string): boolean => hosted(new URL(url));
  assert.ok(allowed('https://replicate.delivery/xezq/abc/output.mp4'));
  assert.ok(allowed('https://pbxt.replicate.delivery/abc/output.mp4'));
  for (const url of [
    'http://replicate.delivery/abc/output.mp4',
    'https://replicate.delivery:8443/abc/output.mp4',
    'https://replicate.delivery.evil.example/output.mp4',
    'https://evilreplicate.delivery/output.mp4',
    'https://replicate.delivery@127.0.0.1/output.mp4',
    'https://127.0.0.1/output.mp4',
    'http://169.254.169.254/latest/meta-data/',
    'file:///etc/passwd',
  ]) {
    assert.equal(allowed(url), false, url);
  }
  const emulator = providerOutputs('http://127.0.0.1:8787/v1');
  assert.ok(emulator(new URL('http://127.0.0.1:8787/delivery/p1/output.mp4')));
  assert.equal(emulator(new URL('http://127.0.0.1:9999/output.mp4')), false, 'another port is another origin');
});

test('a download elsewhere, or redirected elsewhere, is refused before it is fetched', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-download-'));
  try {
    const allowed = providerOutputs(`${base}/v1`);
    const elsewhere = base.replace('127.0.0.1', 'localhost');
    await assert.rejects(downloadOutput(`${elsewhere}/clip.mp4`, path.join(dir, 'a.mp4'), allowed), OutputRefusedError);
    await assert.rejects(downloadOutput(`${base}/away`, path.join(dir, 'b.mp4'), allowed), OutputRefusedError);
    assert.equal(hitsOf('/away'), 1, 'refused once, not tried again');
    assert.equal(hitsOf('/elsewhere.mp4'), 0, 'the redirect target was not fetched');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
