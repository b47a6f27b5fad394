/** How status reads to people: the derived status, the Web UI's details, closed runs, list filters, the CLI's lines. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asClosed, listedStatus } from '../../client/closed-run';
import { listQuery } from '../../client/generation-client';
import { renderProgress, timeLeft } from '../../client/watch';
import type { Progress } from '../../schema/progress';
import {
  currentDetails,
  deriveStatus,
  estimateFinish,
  percentDone,
  type StatusInputs,
} from '../../workflows/rules/status';

const base: StatusInputs = {
  generationId: 'launch-7',
  current: 'generating',
  stopping: null,
  prepared: true,
  assembling: false,
  gateStatus: 'passed',
  gateAwaiting: [],
  moneyWaits: [],
  budget: { availableUsd: 0.05, limitUsd: 3 },
  opsWaits: [],
  inFlight: 2,
};

function progress(overrides: Partial<Progress> = {}): Progress {
  return {
    generationId: 'g',
    status: 'generating',
    waitingFor: null,
    waitingOn: [],
    model: 'scenegate/ip-adapter-video',
    strategy: { mode: 'pool', concurrency: 3 },
    seed: 1,
    scenes: [1, 2, 3].map((i) => ({
      id: `s${i}`,
      index: i,
      status: i === 1 ? 'succeeded' : 'running',
      attempts: 1,
      costUsd: i === 1 ? 0.15 : 0,
      strength: 0.6,
      score: null,
      clipPath: null,
      predictionId: null,
      lastError: null,
      isGateScene: i === 1,
      history: [],
    })),
    totals: { scenes: 3, done: 1, failed: 0, skipped: 0, running: 2, percent: 33 },
    budget: { limitUsd: 3, spentUsd: 0.15, reservedUsd: 0.3 },
    gate: { status: 'passed', sceneIds: ['s1'], scores: [], threshold: 0.6 },
    startedAt: '2026-11-25T10:00:00.000Z',
    consistency: null,
    storyboard: null,
    references: [],
    consoleUrl: null,
    updatedAt: '2026-11-25T10:00:05.000Z',
    etaAt: '2026-11-25T10:00:15.000Z',
    ...overrides,
  };
}

test('waiting: a person before money before an operator, each sentence naming the message that unblocks it', () => {
  const both = deriveStatus({
    ...base,
    moneyWaits: [{ sceneId: 's3', needsUsd: 0.1 }],
    opsWaits: [{ sceneId: 's2', lastError: 'E005' }],
  });
  assert.equal(both.status, 'awaiting_budget');
  assert.deepEqual(
    both.waitingOn.map((w) => w.kind),
    ['budget', 'operator']
  );
  assert.match(both.waitingFor!, /raiseBudget \{amountUsd\}.*retryScene/);
  assert.equal(
    deriveStatus({ ...base, gateAwaiting: ['s1'], moneyWaits: [{ sceneId: 's3', needsUsd: 1 }] }).status,
    'awaiting_approval'
  );
  assert.equal(deriveStatus({ ...base, gateStatus: 'running' }).status, 'gating');
  assert.equal(deriveStatus({ ...base, stopping: { message: 'aborted' } }).status, 'generating');
});

test('every command a wait suggests names the generation, so it can be copied as it stands', () => {
  const waits = deriveStatus({
    ...base,
    gateAwaiting: ['s1'],
    driftAwaiting: ['s2'],
    storyboardAwaiting: ['s3'],
    moneyWaits: [{ sceneId: 's3', needsUsd: 0.1 }],
    opsWaits: [{ sceneId: 's2', lastError: 'E005' }],
  });
  const commands = waits.waitingFor!.match(/scenegate [^,;(]*/g)!;
  // approve, approve-scene, release, redo-keyframe, raise-budget, retry-scene
  assert.equal(commands.length, 6);
  assert.ok(commands.includes('scenegate redo-keyframe launch-7 <scene> --reason <why> '));
  for (const command of commands) assert.match(command, /launch-7/);
  assert.doesNotMatch(waits.waitingFor!, /<id>/);
});

test('no expected finish before a scene is done, while waiting for someone, or once the generation ended', () => {
  const scenes = [{ status: 'succeeded' as const }, { status: 'pending' as const }, { status: 'running' as const }];
  const strategy = { mode: 'pool', concurrency: 2 };
  assert.equal(estimateFinish({ now: 0, status: 'generating', scenes, attemptMs: [3000], strategy }), 3000);
  for (const status of ['awaiting_approval', 'awaiting_budget', 'awaiting_ops', 'succeeded', 'failed'] as const) {
    assert.equal(estimateFinish({ now: 0, status, scenes, attemptMs: [3000], strategy }), null, status);
  }
  const none = scenes.map(() => ({ status: 'pending' as const }));
  assert.equal(estimateFinish({ now: 0, status: 'generating', scenes: none, attemptMs: [3000], strategy }), null);
  assert.equal(percentDone(4, 5), 80);
  assert.equal(percentDone(5, 5), 100);
  assert.equal(percentDone(199, 200), 99, 'never 100 before the last scene');
});

test('the CLI counts down to the expected finish instead of repeating a frozen figure', () => {
  const eta = '2026-11-25T10:00:15.000Z';
  assert.equal(timeLeft(eta, Date.parse('2026-11-25T10:00:05.000Z')), ' · about 10s left');
  assert.equal(timeLeft(eta, Date.parse('2026-11-25T10:00:12.000Z')), ' · about 3s left');
  assert.equal(timeLeft(eta, Date.parse('2026-11-25T10:00:20.000Z')), ' · finishing');
  assert.equal(timeLeft(null), '');
  const lines = renderProgress(
    progress({ totals: { scenes: 5, done: 3, failed: 0, skipped: 1, running: 1, percent: 60 } })
  );
  assert.match(lines.at(-1)!, /3\/5 done, 1 skipped \(60%\)/);
});

test('the Web UI details stay short, with no dollar sign (a formula to its markdown) and no n/m (a fraction)', () => {
  const details = currentDetails(progress());
  assert.ok(!details.includes('$'), details);
  assert.ok(!/\d\/\d/.test(details), details);
  assert.match(details, /1 of 3 done \(33%\) · 0\.15 of 3\.00 USD spent · gate passed · done about 10:00:15 UTC/);
  assert.match(details, /\*\*Scenes\*\* succeeded: s1 · running: s2, s3/);
  const waiting = currentDetails(progress({ waitingOn: [{ kind: 'budget', sceneIds: ['s2', 's3'] }] }));
  assert.match(waiting, /\*\*Waiting for\*\* money for s2, s3 \(signal raiseBudget or setBudget\)/);
  const many = progress({
    scenes: Array.from({ length: 200 }, (_, i) => ({ ...progress().scenes[1]!, id: `scene-${i + 1}`, index: i + 1 })),
  });
  const long = currentDetails(many);
  assert.match(long, /running: scene-1, .*, scene-6 \(\+194 more\)/);
  assert.ok(long.split('\n').length <= 4, 'a few lines whatever the number of scenes');
});

test('the Web UI details link to the console page on their first line, which the frame never cuts off', () => {
  const page = 'http://127.0.0.1:8240/generations/g';
  const [first] = currentDetails(
    progress({ consoleUrl: page, waitingOn: [{ kind: 'approval', sceneIds: ['s1'] }] })
  ).split('\n');
  assert.ok(first!.endsWith(` · [review in the console](${page})  `), first);
  assert.ok(!currentDetails(progress()).includes('console'), 'no link when the worker knows no console');
});

test('a terminated run reads as terminated, its running scenes stopped, not as generating', () => {
  const closed = asClosed(progress(), 'TERMINATED');
  assert.equal(closed.status, 'terminated');
  assert.deepEqual(
    closed.scenes.map((s) => s.status),
    ['succeeded', 'cancelled', 'cancelled']
  );
  assert.equal(closed.etaAt, null);
  assert.equal(asClosed(progress(), 'RUNNING').status, 'generating');
  assert.equal(asClosed(progress({ status: 'succeeded' }), 'COMPLETED').status, 'succeeded');
  assert.equal(listedStatus('generating', 'TERMINATED'), 'terminated');
  assert.equal(listedStatus('failed', 'FAILED'), 'failed');
  assert.equal(listedStatus(undefined, 'FAILED'), 'failed', 'a run that failed before writing its status');
});

test('listing by a status a run can leave only matches running executions; a made-up status is refused', () => {
  assert.equal(
    listQuery('generating'),
    "WorkflowType = 'generateVideo' AND GenerationStatus = 'generating' AND ExecutionStatus = 'Running'"
  );
  assert.equal(listQuery('succeeded'), "WorkflowType = 'generateVideo' AND GenerationStatus = 'succeeded'");
  assert.equal(listQuery('terminated'), "WorkflowType = 'generateVideo' AND ExecutionStatus = 'Terminated'");
  assert.throws(() => listQuery('bogus'), /--status must be one of preparing, .*, got "bogus"/);
});
