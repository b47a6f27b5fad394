import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadSettings, SettingsError } from '../../common/settings';

test('defaults apply when nothing is set, and an empty variable counts as unset', () => {
  const settings = loadSettings({ SCENEGATE_TASK_QUEUE: '' });
  assert.equal(settings.SCENEGATE_TASK_QUEUE, 'scenegate');
  assert.equal(settings.SCENEGATE_MAX_CONCURRENT_ACTIVITIES, 50);
  assert.equal(settings.REPLICATE_API_TOKEN, undefined);
});

test('an invalid setting is one line naming the variable, what it expected and what it got', () => {
  const cases: [NodeJS.ProcessEnv, string][] = [
    [
      { SCENEGATE_MAX_CONCURRENT_ACTIVITIES: 'lots' },
      'invalid setting SCENEGATE_MAX_CONCURRENT_ACTIVITIES: expected a positive whole number (got "lots")',
    ],
    [
      { REPLICATE_BASE_URL: 'localhost:8080' },
      'invalid setting REPLICATE_BASE_URL: expected an http(s) URL such as https://api.replicate.com/v1 (got "localhost:8080")',
    ],
    [
      { REPLICATE_API_TOKEN: 'r8_x', SCENEGATE_WEBHOOK_URL: 'http://hooks.example.com/replicate' },
      'invalid setting SCENEGATE_WEBHOOK_URL: expected an https URL when REPLICATE_API_TOKEN is set (hosted Replicate posts webhooks to https only) (got "http://hooks.example.com/replicate")',
    ],
    [
      { SCENEGATE_TASK_QUEUE: 'my queue' },
      'invalid setting SCENEGATE_TASK_QUEUE: expected a task queue name without spaces (got "my queue")',
    ],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => loadSettings(env),
      (err: unknown) => {
        assert.ok(err instanceof SettingsError);
        assert.equal(err.message, message);
        assert.ok(!err.message.includes('\n'));
        return true;
      }
    );
  }
});
