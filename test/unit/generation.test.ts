/** The generation's rules without Temporal: what the workflow's handlers and scene tasks call. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../common/catalogue-file';
import type { PrepareGenerationResult } from '../../schema/activities';
import { planSchema, type PlanInput } from '../../schema/plan';
import type { PredictionSnapshot } from '../../schema/prediction';
import { Generation } from '../../workflows/generation';

const prepared = (scorer: PrepareGenerationResult['scorer'] = 'local'): PrepareGenerationResult => ({
  references: [
    { groupId: 'hero', source: 'hero.png', url: 'https://files/hero', localPath: '/x/hero.png', sha256: 'a' },
  ],
  model: loadCatalogue().models.find((m) => m.id === 'scenegate/ip-adapter-video')!,
  scorer,
  scorerModel: null,
});

const snapshot = (
  id: string,
  status: PredictionSnapshot['status'],
  startedAt: string | null = '2026-11-25T00:00:00Z'
): PredictionSnapshot => ({
  id,
  status,
  output: status === 'succeeded' ? 'https://delivery/out.mp4' : null,
  error: status === 'failed' ? 'E005' : null,
  createdAt: '2026-11-25T00:00:00Z',
  startedAt,
  completedAt: null,
  predictTimeSec: 2,
  dataRemoved: false,
});

/** A generation of `scenes` 2-second scenes ($0.10 each) with hooks that count what they were told. */
function generation(scenes: number, extra: Partial<PlanInput> = {}) {
  const plan = planSchema.parse({
    generationId: 'g',
    consistencyGroups: [{ id: 'hero', kind: 'character', referenceImages: ['hero.png'], strength: 0.5 }],
    scenes: Array.from({ length: scenes }, (_, i) => ({
      id: `s${i + 1}`,
      prompt: `p${i + 1}`,
      durationSec: 2,
      entities: ['hero'],
    })),
    gate: { enabled: false },
    ...extra,
  });
  const told = { changed: 0, stopping: 0 };
  const gen = new Generation(plan, 'g', 0, {
    changed: () => told.changed++,
    stopping: () => told.stopping++,
    inFlight: () => 0,
  });
  gen.prepare(prepared(plan.gate.scorer), 0);
  return { gen, told };
}

/** Runs the latest attempt's paid call of a scene to `status`, as the workflow would, and books it. */
function ran(gen: Generation, id: string, status: PredictionSnapshot['status'], at: number): string {
  const key = `${id}#${gen.scene(id).attempts}`;
  gen.callCreated(key, snapshot(`p-${key}`, 'starting'), true, at);
  gen.predictionObserved(key, snapshot(`p-${key}`, status), at);
  gen.bookCall(key);
  return key;
}

const claim = (sceneId: string) => ({ key: `${sceneId}#1`, sceneId, kind: 'scene' as const, estimateUsd: 0.1 });

test('a partial raise lets exactly one waiting scene go; the others wait on, and the run fails only at the deadline', () => {
  const { gen } = generation(4, { strategy: { mode: 'parallel' }, budget: { limitUsd: 0.1, waitTimeout: '1h' } });
  assert.equal(gen.requestBudget(claim('s1'), 0), 'reserved');
  for (const id of ['s2', 's3', 's4']) assert.equal(gen.requestBudget(claim(id), 0), 'waiting');
  assert.equal(gen.progress().status, 'awaiting_budget');

  gen.raiseBudget(0.1, 1000);
  assert.equal(gen.admission.isGranted('s2#1'), true);
  assert.equal(gen.admission.isGranted('s3#1'), false);
  // the woken scene proceeds; the others are still in line, and nothing failed
  assert.equal(gen.endMoneyWait(claim('s2'), 1000), true);
  assert.equal(gen.stop, null);
  assert.deepEqual(gen.progress().waitingOn, [{ kind: 'budget', sceneIds: ['s3', 's4'] }]);
  assert.match(gen.progress().waitingFor ?? '', /s3 needs 0\.10 USD, s4 needs 0\.10 USD/);

  gen.raiseBudget(0.2, 2000);
  assert.equal(gen.endMoneyWait(claim('s3'), 2000), true);
  assert.equal(gen.endMoneyWait(claim('s4'), 2000), true);
  assert.equal(gen.stop, null);
  assert.equal(gen.ledger.reservedUsd, 0.4);
});

test('no money before the deadline: BudgetExceeded, naming what the scene needed and what was left', () => {
  const { gen, told } = generation(2, {
    strategy: { mode: 'sequential' },
    budget: { limitUsd: 0.15, waitTimeout: '2s' },
  });
  gen.requestBudget(claim('s1'), 0);
  gen.beginAttempt('s1', 0);
  ran(gen, 's1', 'succeeded', 10);
  assert.equal(gen.requestBudget(claim('s2'), 0), 'waiting');
  assert.equal(gen.endMoneyWait(claim('s2'), 2000), false);
  assert.equal(gen.stop?.type, 'BudgetExceeded');
  assert.match(
    gen.stop?.message ?? '',
    /the next attempt of scene s2 needs 0\.1000 USD but only 0\.0500 USD .* within 2s/
  );
  assert.equal(told.stopping, 1);
});

test('raises past the maximum leave a finite limit that the status reports', () => {
  const { gen } = generation(1);
  gen.raiseBudget(1e308, 0);
  gen.raiseBudget(1e308, 0);
  const { budget } = gen.progress();
  assert.equal(budget.limitUsd, 1_000_000);
  assert.ok(Number.isFinite(budget.limitUsd));
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(gen.progress())).budget.limitUsd.toFixed(2));
});

test('the status says who the generation waits for: a person first, then money, then an operator', () => {
  const { gen } = generation(3, {
    onSceneFailure: 'await-ops',
    retry: { maxAttemptsPerScene: 1 },
    budget: { limitUsd: 0.1 },
  });
  gen.requestBudget(claim('s1'), 0);
  gen.beginAttempt('s1', 0);
  gen.attemptFailed('s1', ran(gen, 's1', 'failed', 10), { error: 'E005', permanent: false }, 10);
  gen.sceneExhausted('s1', 10);
  assert.equal(gen.progress().status, 'awaiting_ops');
  gen.requestBudget(claim('s2'), 10);
  const progress = gen.progress();
  assert.equal(progress.status, 'awaiting_budget');
  assert.deepEqual(progress.waitingOn, [
    { kind: 'budget', sceneIds: ['s2'] },
    { kind: 'operator', sceneIds: ['s1'] },
  ]);
  assert.match(progress.waitingFor ?? '', /^money: .*; and an operator for failed scene s1 \(E005\)/);
  assert.equal(progress.totals.failed, 1);
});

test('percent counts scenes with a clip, as the counts do; ETA only while working, after a scene is done', () => {
  const { gen } = generation(5, { strategy: { mode: 'pool', concurrency: 2 } });
  const finish = (id: string, start: number, end: number): void => {
    gen.requestBudget(claim(id), start);
    gen.beginAttempt(id, start);
    gen.attemptProduced(id, ran(gen, id, 'succeeded', end), { path: `/${id}.mp4`, durationSec: 2 }, end);
    gen.sceneSucceeded(id, end);
  };
  assert.equal(gen.progress().etaAt, null, 'no pace yet at 0 of 5');
  finish('s1', 0, 4000);
  let progress = gen.progress();
  // 4 left, 2 lanes, 4 s an attempt: two rounds from the last event
  assert.equal(progress.etaAt, new Date(4000 + 2 * 4000).toISOString());
  assert.equal(progress.totals.percent, 20);
  finish('s2', 4000, 8000);
  finish('s3', 8000, 12000);
  gen.requestBudget(claim('s4'), 12000);
  gen.beginAttempt('s4', 12000);
  gen.attemptFailed('s4', ran(gen, 's4', 'failed', 12500), { error: 'E005', permanent: true }, 12500);
  gen.sceneExhausted('s4', 12500);
  progress = gen.progress();
  assert.equal(progress.totals.done, 3);
  assert.equal(progress.totals.percent, 60, '3 of 5 scenes have a clip');
});

test("the scene strength shown is the one its clip was made with, not the next attempt's", () => {
  const { gen } = generation(2, { gate: { enabled: true, threshold: 0.9, strengthStep: 0.2, maxAttempts: 3 } });
  gen.requestBudget(claim('s1'), 0);
  const call = gen.beginAttempt('s1', 0);
  assert.equal(call.input.ip_adapter_scale, 0.5);
  gen.attemptProduced('s1', ran(gen, 's1', 'succeeded', 10), { path: '/s1.mp4', durationSec: 2 }, 10);
  assert.equal(gen.gateScored('s1', 0.4, 10), 'miss');
  assert.equal(gen.gateMissed('s1', null, 10), 'again');
  const scene = gen.progress().scenes[0]!;
  assert.equal(scene.strength, 0.5, 'the clip on show was made at 0.5');
  assert.deepEqual(
    scene.history.map((a) => [a.attempt, a.strength, a.status, a.score]),
    [[1, 0.5, 'missed', 0.4]]
  );
  gen.requestBudget({ ...claim('s1'), key: 's1#2' }, 20);
  assert.equal(gen.beginAttempt('s1', 20).input.ip_adapter_scale, 0.7, 'the next attempt is stronger');
});

test('a gate rejected for good ends with its scene failed, not scoring; the rejection says it was the last attempt', () => {
  const { gen } = generation(2, { gate: { enabled: true, scorer: 'manual', maxAttempts: 1 } });
  gen.requestBudget(claim('s1'), 0);
  gen.beginAttempt('s1', 0);
  gen.attemptProduced('s1', ran(gen, 's1', 'succeeded', 10), { path: '/s1.mp4', durationSec: 2 }, 10);
  gen.scene('s1').scoring();
  gen.askPerson('s1', 10);
  assert.equal(gen.refuseGateDecision(), null);
  assert.match(gen.decideGate({ approved: false, text: 'wrong coat' }, 20), /that was the last attempt at s1/);
  assert.match(gen.refuseGateDecision() ?? '', /already rejected/);
  gen.endAsk('s1', true, 20);
  gen.halt({ type: 'GateRejected', message: 'rejected' }, 20);
  gen.end('failed', 30);
  const state = gen.finalState('failed', 'rejected');
  assert.equal(state.scenes[0]!.status, 'failed');
  assert.equal(gen.progress().gate.status, 'failed');
  assert.equal(gen.progress().etaAt, null);
  assert.equal(gen.progress().waitingFor, null);
});

test('an operator may retry or skip only a failed scene, and the refusals say why', () => {
  const { gen } = generation(2, { onSceneFailure: 'await-ops', retry: { maxAttemptsPerScene: 1 } });
  assert.equal(gen.refuseSceneAction('nope', 'retried'), 'there is no scene "nope" (scenes: s1, s2)');
  assert.equal(gen.refuseSceneAction('s1', 'skipped'), 'scene s1 is pending; only a failed scene can be skipped');
  gen.requestBudget(claim('s1'), 0);
  gen.beginAttempt('s1', 0);
  gen.attemptFailed('s1', ran(gen, 's1', 'failed', 10), { error: 'E005', permanent: false }, 10);
  gen.sceneExhausted('s1', 10);
  assert.equal(gen.refuseSceneAction('s1', 'retried'), null);
  assert.equal(
    gen.retryScene('s1', { prompt: 'again', strength: 0.9 }, 20),
    'scene s1 queued for up to 1 more attempt with prompt, strength 0.9'
  );
  assert.equal(gen.scene('s1').status, 'pending');
  gen.requestBudget({ ...claim('s1'), key: 's1#2' }, 30);
  assert.equal(gen.beginAttempt('s1', 30).input.prompt, 'again');
});

test('a paid call books its prediction once, from the prediction: reports of other predictions or repeats change nothing', () => {
  const { gen } = generation(1);
  gen.requestBudget(claim('s1'), 0);
  const call = gen.beginAttempt('s1', 0);
  gen.callCreated(call.key, snapshot('p1', 'starting'), true, 1);
  assert.deepEqual(
    gen.calls.inFlight().map((c) => c.predictionId),
    ['p1']
  );
  gen.predictionObserved(call.key, snapshot('someone-else', 'succeeded'), 2);
  gen.predictionObserved('s9#1', snapshot('p1', 'succeeded'), 2);
  assert.equal(gen.calls.final(call.key), null, 'neither another prediction nor another key counts');
  gen.predictionObserved(call.key, snapshot('p1', 'processing'), 3);
  assert.equal(gen.calls.final(call.key), null, 'only a final state ends it');
  gen.predictionObserved(call.key, snapshot('p1', 'canceled', null), 4);
  gen.predictionObserved(call.key, snapshot('p1', 'succeeded'), 5);
  assert.equal(gen.calls.final(call.key)?.status, 'canceled', 'the first final state wins');
  assert.equal(gen.bookCall(call.key), 0, 'cancelled before it started: nothing to pay');
  assert.equal(gen.bookCall(call.key), 0);
  assert.equal(gen.ledger.reservedUsd, 0);
});

test('a prediction that exists but was never seen to end is booked at its full estimate, never at nothing', () => {
  const { gen } = generation(1);
  gen.requestBudget(claim('s1'), 0);
  const call = gen.beginAttempt('s1', 0);
  gen.callCreated(call.key, snapshot('p1', 'processing'), false, 1);
  assert.equal(gen.bookCall(call.key), 0.1);
});
