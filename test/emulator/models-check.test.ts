/**
 * `scenegate models check` and the worker's start-up check, against the emulator serving each
 * model's recorded schema in Replicate's form, then a schema changed upstream (`schemaChanges`).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { replicateConnection } from '../../activities/replicate/client';
import { loadCatalogue } from '../../common/catalogue-file';
import { startEmulator, type Emulator } from '../../emulator';
import { warnOfSchemaDrift } from '../../worker/schema-drift';
import { scenegate } from '../helpers/run-cli';

let emulator: Emulator;
let dir: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'models-check-'));
  emulator = await startEmulator({ dataDir: dir });
});
after(async () => {
  await emulator.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const env = (): NodeJS.ProcessEnv => ({ REPLICATE_BASE_URL: emulator.baseUrl, REPLICATE_API_TOKEN: '' });

test('models check passes when every live schema is as recorded and takes what the catalogue sends', async () => {
  const run = await scenegate(['models', 'check'], env());
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^bytedance\/seedance-2\.0 +\w{8} +all mapped inputs +as recorded +same +ok$/m);
  assert.match(run.stdout, /8 models as expected/);
  assert.match(run.stdout, /^zsxkib\/instant-id +f1ca369d +all mapped inputs +as recorded +same +ok$/m);
});

test('a schema changed upstream fails models check, naming the model and the field; the worker warns of it at start', async () => {
  emulator.configure('google/veo-3.1', { schemaChanges: { reference_images: null } });
  emulator.configure('bytedance/seedance-2.0', {
    schemaChanges: { aspect_ratio: { type: 'string', enum: ['16:9', '9:16'], default: '16:9' } },
  });
  try {
    const run = await scenegate(['models', 'check', 'google/veo-3.1', 'bytedance/seedance-2.0'], env());
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^google\/veo-3\.1 +\w{8} +reference_images +array of uri +absent +MISMATCH$/m);
    assert.match(run.stdout, /^bytedance\/seedance-2\.0 +\w{8} +aspect_ratio +1:1 +16:9, 9:16 +MISMATCH$/m);
    assert.match(run.stderr, /2 of 2 models differ from what scenegate expects/);

    const warned: { message: string; fields: Record<string, unknown> }[] = [];
    const connection = replicateConnection({
      token: emulator.token,
      baseUrl: emulator.baseUrl,
      emulatorToken: 'unused',
    });
    await warnOfSchemaDrift({ catalogue: loadCatalogue(), connection }, (message, fields) =>
      warned.push({ message, fields })
    );
    assert.ok(
      warned.some(
        (w) => /no longer takes what the catalogue sends/.test(w.message) && w.fields.field === 'reference_images'
      ),
      JSON.stringify(warned)
    );
  } finally {
    emulator.configure('google/veo-3.1', { schemaChanges: {} });
    emulator.configure('bytedance/seedance-2.0', { schemaChanges: {} });
  }
});
