import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { LocalStorage } from '../../common/storage/local';
import { checkKey, keyFor, StorageKeyError } from '../../common/storage/storage';
import { FailureType } from '../../schema/failures';

test('a key is refused, never normalised: "..", "." and empty parts do not reach another place', () => {
  for (const [generationId, ...parts] of [
    ['probe/../victim-1', 'final.mp4'],
    ['.', 'final.mp4'],
    ['..', 'final.mp4'],
    ['a//b', 'final.mp4'],
    ['victim-1/clips', 's1-a1.mp4'],
    ['gen-1', '', 'final.mp4'],
    ['gen-1\nforged', 'final.mp4'],
  ] as const) {
    assert.throws(() => keyFor(generationId, ...parts), StorageKeyError, JSON.stringify(generationId));
  }
  for (const key of ['a//b', './x', 'a/./b', 'a/../b', '/abs', 'a\\..\\b', '']) {
    assert.throws(() => checkKey(key), StorageKeyError, JSON.stringify(key));
  }
  assert.equal(keyFor('gen-1', 'clips', 's1-a1.mp4'), 'gen-1/clips/s1-a1.mp4');
  assert.equal(keyFor('a..b', 'final.mp4'), 'a..b/final.mp4', '".." inside a name is only a name');
});

test('a refused key is a typed, non-retryable failure: retrying the same key cannot help', () => {
  const err = (() => {
    try {
      keyFor('probe/../victim-1', 'final.mp4');
    } catch (e) {
      return e;
    }
    assert.fail('the key was accepted');
  })();
  assert.ok(err instanceof ApplicationFailure);
  assert.equal(err.type, FailureType.InvalidStorageKey);
  assert.equal(err.nonRetryable, true);
  assert.match(err.message, /"probe\/\.\.\/victim-1"/);
});

test('a folder storage never writes outside its folder or at its root, even for a recorded absolute path', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-keys-'));
  try {
    const storage = new LocalStorage(path.join(dir, 'storage'));
    await assert.rejects(storage.put('./final.mp4', Buffer.from('x')), StorageKeyError);
    await assert.rejects(storage.put('probe/../victim-1/final.mp4', Buffer.from('x')), StorageKeyError);
    assert.throws(() => storage.fileOf(path.join(storage.root, '..', 'outside.mp4')), StorageKeyError);
    assert.throws(() => storage.fileOf(`${storage.root}/a/../../outside.mp4`), StorageKeyError);
    assert.deepEqual(await fs.readdir(dir), [], 'nothing was written');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
