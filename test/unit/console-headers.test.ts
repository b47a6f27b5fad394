/** The console's policy headers: what its pages may load, with stored files in a folder or a bucket. */
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Hono } from 'hono';
import { consoleHeaders } from '../../client/console/headers';
import { LocalStorage } from '../../common/storage/local';
import { S3Storage } from '../../common/storage/s3';
import type { Storage } from '../../common/storage/storage';

const policyOf = async (storage: Storage): Promise<string> => {
  const app = new Hono();
  app.use('*', consoleHeaders(storage));
  app.get('/', (c) => c.text('page'));
  const response = await app.request('/');
  assert.equal(response.headers.get('x-frame-options'), 'DENY');
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  return response.headers.get('content-security-policy') ?? '';
};

test('with a storage folder, pages load only from the console itself', async () => {
  const policy = await policyOf(new LocalStorage(path.join(os.tmpdir(), 'console-headers')));
  assert.match(policy, /media-src 'self'\s*;/);
  assert.match(policy, /script-src 'self';/);
  assert.match(policy, /frame-ancestors 'none'/);
});

test("with a bucket, pages play clips from the presigned URLs' origin too", async () => {
  const storage = new S3Storage({
    bucket: 'clips',
    prefix: 'sg/',
    region: 'us-east-1',
    endpoint: 'http://minio.internal:9000',
    publicEndpoint: 'https://media.example.com',
    credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
    cacheDir: path.join(os.tmpdir(), 'console-headers-cache'),
  });
  const policy = await policyOf(storage);
  assert.match(policy, /media-src 'self' https:\/\/media\.example\.com;/);
  assert.match(policy, /img-src 'self' data: https:\/\/media\.example\.com;/);
  assert.doesNotMatch(policy, /minio\.internal/);
});
