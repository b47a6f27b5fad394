/**
 * The emulator's dress-rehearsal mode: where hosted Replicate differs from the emulator's
 * conveniences, it behaves as hosted Replicate does (docs/emulator.md, "Dress rehearsal").
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import Replicate, { type Prediction } from 'replicate';
import { projectRoot } from '../../common/paths';
import { startEmulator, type Emulator } from '../../emulator';

const FILE_TTL_MS = 1500;
const OUTPUT_TTL_MS = 1000;
let emulator: Emulator;
let replicate: Replicate;
let dir: string;
const mara = path.join(projectRoot, 'examples', 'references', 'mara.png');
const SEEDANCE = 'bytedance/seedance-2.0';
const CLIP = 'andreasjansson/clip-features';

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dress-rehearsal-test-'));
  emulator = await startEmulator({
    dataDir: dir,
    dressRehearsal: true,
    fileTtlMs: FILE_TTL_MS,
    outputTtlMs: OUTPUT_TTL_MS,
    models: { [SEEDANCE]: { render: 'none', latency: { kind: 'fixed', ms: 0 } } },
  });
  replicate = new Replicate({ auth: emulator.token, baseUrl: emulator.baseUrl, useFileOutput: false });
});
beforeEach(() => emulator.reset());
after(async () => {
  await emulator.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function waitFor(id: string): Promise<Prediction> {
  for (;;) {
    const p = await replicate.predictions.get(id);
    if (['succeeded', 'failed', 'canceled', 'aborted'].includes(p.status)) return p;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function uploadMara(): Promise<string> {
  const file = new File([await fs.readFile(mara)], 'mara.png', { type: 'image/png' });
  return ((await replicate.files.create(file)) as { urls: { get: string } }).urls.get;
}

const seedance = (reference: string): Record<string, unknown> => ({
  prompt: 'Mara waves [Image1]',
  reference_images: [reference],
  duration: 4,
});

test('a community model gets no image from a Files API URL without any knob set', async () => {
  const reference = await uploadMara();
  const done = await waitFor((await replicate.predictions.create({ model: CLIP, input: { inputs: reference } })).id);
  assert.equal(done.status, 'failed');
  assert.match(String(done.error), /cannot identify image file/);
});

test('an official model reads the same Files API URL', async () => {
  const reference = await uploadMara();
  const done = await waitFor((await replicate.predictions.create({ model: SEEDANCE, input: seedance(reference) })).id);
  assert.equal(done.status, 'succeeded', String(done.error));
});

test('reads and list items carry only the documented fields: no webhook', async () => {
  const reference = await uploadMara();
  const created = await replicate.predictions.create({
    model: SEEDANCE,
    input: seedance(reference),
    webhook: 'https://example.invalid/hook',
    webhook_events_filter: ['completed'],
  });
  const read = (await replicate.predictions.get(created.id)) as unknown as Record<string, unknown>;
  const listed = (await replicate.predictions.list()).results.find((p) => p.id === created.id) as unknown as Record<
    string,
    unknown
  >;
  for (const seen of [created as unknown as Record<string, unknown>, read, listed]) {
    assert.equal(seen.webhook, undefined);
    assert.equal(seen.webhook_events_filter, undefined);
    assert.deepEqual(seen.input, seedance(reference));
  }
});

test('an upload is gone at its expires_at: its URL answers 404 and a model given it fails', async () => {
  const reference = await uploadMara();
  const id = reference.split('/').pop()!;
  const file = (await replicate.files.get(id)) as unknown as { created_at: string; expires_at: string };
  assert.equal(Date.parse(file.expires_at) - Date.parse(file.created_at), FILE_TTL_MS);
  await new Promise((r) => setTimeout(r, FILE_TTL_MS + 100));
  const response = await fetch(reference, { headers: { authorization: `Bearer ${emulator.token}` } });
  assert.equal(response.status, 404);
  const done = await waitFor((await replicate.predictions.create({ model: SEEDANCE, input: seedance(reference) })).id);
  assert.equal(done.status, 'failed');
  assert.match(String(done.error), /expired or deleted/);
});

test('an hour after the end (here OUTPUT_TTL_MS) input and output are removed', async () => {
  const reference = await uploadMara();
  const done = await waitFor((await replicate.predictions.create({ model: SEEDANCE, input: seedance(reference) })).id);
  assert.equal(done.status, 'succeeded');
  await new Promise((r) => setTimeout(r, OUTPUT_TTL_MS + 200));
  const later = await replicate.predictions.get(done.id);
  assert.equal(later.data_removed, true);
  assert.equal(later.output, null);
  assert.deepEqual(later.input, {});
});

test("prices are the fixture's whatever the price knob says", async () => {
  emulator.configure(SEEDANCE, { price: { perRunUsd: 99 } });
  try {
    const reference = await uploadMara();
    const done = await waitFor(
      (await replicate.predictions.create({ model: SEEDANCE, input: seedance(reference) })).id
    );
    assert.equal(done.status, 'succeeded');
    const billed = emulator.stats().predictions.find((p) => p.id === done.id)!.costUsd;
    const fixture = JSON.parse(
      await fs.readFile(path.join(projectRoot, 'catalogue', 'schemas', 'bytedance--seedance-2.0.json'), 'utf8')
    ) as { pricing: { usd: number } };
    assert.equal(billed, fixture.pricing.usd * 4);
  } finally {
    emulator.configure(SEEDANCE, { price: undefined });
  }
});
