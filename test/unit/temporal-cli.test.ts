import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cachedCliPath, findTemporalCli, TemporalCliNotFoundError } from '../../devenv/temporal-cli';

async function fakeCli(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'temporal');
  await fs.writeFile(file, '#!/bin/sh\necho fake\n', { mode: 0o755 });
  return file;
}

const silent = (): void => undefined;

test('TEMPORAL_CLI_PATH comes first, then PATH, then the per-version cache', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-cli-'));
  const explicit = await fakeCli(path.join(root, 'explicit'));
  const onPath = await fakeCli(path.join(root, 'bin'));
  const cacheEnv = { SCENEGATE_CACHE_DIR: path.join(root, 'cache') };
  const cached = await fakeCli(path.dirname(cachedCliPath(cacheEnv)));
  assert.match(cached, /temporal-cli[/\\]v1\.5\.1[/\\]temporal$/);

  const everything = { ...cacheEnv, TEMPORAL_CLI_PATH: explicit, PATH: path.dirname(onPath) };
  assert.equal(await findTemporalCli({ env: everything, log: silent }), explicit);
  assert.equal(await findTemporalCli({ env: { ...everything, TEMPORAL_CLI_PATH: undefined }, log: silent }), onPath);
  assert.equal(await findTemporalCli({ env: { ...cacheEnv, PATH: path.join(root, 'empty') }, log: silent }), cached);
});

test('a TEMPORAL_CLI_PATH that is not an executable stops with a message naming it', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-cli-'));
  const notExecutable = path.join(root, 'temporal');
  await fs.writeFile(notExecutable, 'text');
  await assert.rejects(findTemporalCli({ env: { TEMPORAL_CLI_PATH: notExecutable }, log: silent }), (err: unknown) => {
    assert.ok(err instanceof TemporalCliNotFoundError);
    assert.match(err.message, new RegExp(`TEMPORAL_CLI_PATH=${notExecutable} is not an executable file`));
    assert.match(err.message, /Set TEMPORAL_CLI_PATH to a temporal executable, put one on PATH, or install Go/);
    return true;
  });
});
