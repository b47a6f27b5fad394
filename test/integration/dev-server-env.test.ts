/** The Temporal dev server scenegate starts does not inherit the Replicate token, S3 keys or console token. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { test } from 'node:test';
import { startDevServer } from '../../devenv/dev-server';

const secrets = {
  REPLICATE_API_TOKEN: 'r8_dev_server_canary',
  SCENEGATE_S3_SECRET_ACCESS_KEY: 's3_dev_server_canary',
  SCENEGATE_CONSOLE_TOKEN: 'console_dev_server_canary',
};

test('the dev server starts with the allow-listed environment', { skip: process.platform !== 'linux' }, async () => {
  const saved = { ...process.env };
  Object.assign(process.env, secrets);
  let server;
  try {
    server = await startDevServer({ headless: true });
  } finally {
    for (const name of Object.keys(secrets)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
  try {
    const environ = (await fs.readFile(`/proc/${server.pid}/environ`, 'utf8')).split('\0');
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(!environ.some((line) => line.includes(value)), `${name} reached the dev server`);
    }
    assert.ok(
      environ.some((line) => line.startsWith('PATH=')),
      'PATH still reaches it'
    );
  } finally {
    await server.stop();
  }
});
