/** A tool scenegate starts sees where programs and files are, never a secret of this process. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childEnv } from '../../devenv/child-env';

test('a child process gets the allow-listed variables only', () => {
  const env = childEnv({
    PATH: '/usr/bin',
    HOME: '/home/me',
    TMPDIR: '/tmp',
    LC_ALL: 'C.UTF-8',
    REPLICATE_API_TOKEN: 'r8_secret',
    AWS_SECRET_ACCESS_KEY: 'aws-secret',
    SCENEGATE_S3_SECRET_ACCESS_KEY: 's3-secret',
    SCENEGATE_CONSOLE_TOKEN: 'console-secret',
    TEMPORAL_API_KEY: 'temporal-secret',
  });
  assert.deepEqual(env, { PATH: '/usr/bin', HOME: '/home/me', TMPDIR: '/tmp', LC_ALL: 'C.UTF-8' });
});
