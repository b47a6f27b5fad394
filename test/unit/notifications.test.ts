/** When people hear about a generation, and what the message says. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Progress, Wait } from '../../schema/progress';
import { NotificationRules } from '../../workflows/rules/notifications';

function progress(status: Progress['status'], waitingOn: Wait[] = []): Progress {
  return {
    generationId: 'ad-1',
    status,
    waitingFor: waitingOn.length ? 'something (signal raiseBudget)' : null,
    waitingOn,
    model: 'scenegate/ip-adapter-video',
    strategy: { mode: 'pool', concurrency: 2 },
    seed: 1,
    scenes: [],
    totals: { scenes: 4, done: 1, failed: 0, skipped: 0, running: 1, percent: 25 },
    budget: { limitUsd: 3, spentUsd: 0.25, reservedUsd: 0.1 },
    gate: { status: 'passed', sceneIds: ['s1'], scores: [], threshold: 0.6 },
    consistency: null,
    storyboard: null,
    references: [],
    consoleUrl: 'http://127.0.0.1:8240/generations/ad-1',
    startedAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:05.000Z',
    etaAt: null,
  };
}

const approval: Wait = { kind: 'approval', sceneIds: ['s1'] };
const money: Wait = { kind: 'budget', sceneIds: ['s3', 's4'] };

test('a wait is told once when it starts, not again while it lasts, and again when it comes back', () => {
  const rules = new NotificationRules();
  assert.equal(rules.onProgress(progress('generating')), null);
  const first = rules.onProgress(progress('awaiting_approval', [approval]));
  assert.equal(first?.event, 'waiting');
  assert.equal(
    first?.text,
    'scenegate: ad-1 waits for a gate decision on s1 (1 of 4 scenes done, $0.25 of $3.00). <http://127.0.0.1:8240/generations/ad-1|open in the console>'
  );
  assert.deepEqual(first?.waitingOn, [approval]);
  assert.equal(rules.onProgress(progress('awaiting_approval', [approval])), null, 'the same wait: no second message');
  assert.equal(rules.onProgress(progress('generating')), null);
  assert.match(rules.onProgress(progress('awaiting_budget', [money]))?.text ?? '', /waits for money for s3, s4/);
  assert.equal(rules.onProgress(progress('awaiting_approval', [approval, money]))?.event, 'waiting', 'a new kind');
  assert.equal(rules.onProgress(progress('awaiting_approval', [approval]))?.event, undefined, 'one fewer: nothing new');
});

test('the end is told once, with the reason when it did not succeed; nothing after it', () => {
  const rules = new NotificationRules();
  const end = rules.onEnd(progress('failed'), 'the gate scenes ended without passing');
  assert.equal(end?.event, 'ended');
  assert.match(
    end?.text ?? '',
    /^scenegate: ad-1 ended failed \(1 of 4 scenes, \$0\.25 of \$3\.00\): the gate scenes ended without passing\./
  );
  assert.equal(end?.reason, 'the gate scenes ended without passing');
  assert.deepEqual(end?.waitingOn, []);
  assert.equal(rules.onEnd(progress('failed'), 'again'), null);
  assert.equal(rules.onProgress(progress('awaiting_ops', [{ kind: 'operator', sceneIds: ['s2'] }])), null);
});

test('without a console the message carries no link', () => {
  const rules = new NotificationRules();
  const message = rules.onEnd({ ...progress('succeeded'), consoleUrl: null }, null);
  assert.equal(message?.text, 'scenegate: ad-1 ended succeeded (1 of 4 scenes, $0.25 of $3.00).');
  assert.equal(message?.consoleUrl, null);
});

test("an abort reason's Slack markup is shown as text: it pings no one and links nowhere", () => {
  const reason = '<!channel> stop & see <https://evil.example|the console>';
  const end = new NotificationRules().onEnd(progress('failed'), reason);
  assert.equal(
    end?.text,
    'scenegate: ad-1 ended failed (1 of 4 scenes, $0.25 of $3.00): &lt;!channel&gt; stop &amp; see &lt;https://evil.example|the console&gt;. <http://127.0.0.1:8240/generations/ad-1|open in the console>'
  );
  assert.equal(end?.reason, reason, 'the plain field keeps the reason as written, for receivers other than Slack');
});
