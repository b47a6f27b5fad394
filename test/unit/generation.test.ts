/** The generation's rules without Temporal: what the workflow's handlers and scene tasks call. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../common/catalogue-file';
import type { PrepareGenerationResult } from '../../schema/activities';
import { planSchema, type PlanInput } from '../../schema/plan';
import type { PredictionSnapshot } from '../../schema/prediction';
import { Generation } from '../../workflows/rules/generation';

const prepared = (scorer: PrepareGenerationResult['scorer'] = 'local'): PrepareGenerationResult => ({
  references: [
    { groupId: 'hero', source: 'hero.png', url: 'https://files/hero', localPath: '/x/hero.png', sha256: 'a' },
  ],
  model: loadCatalogue().models.find((m) => m.id === 'scenegate/ip-adapter-video')!,
  scorer,
  scorerModel: null,
  keyframeModel: null,
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
  const clock = { now: 0 };
  const gen = new Generation(
    plan,
    'g',
    { now: () => clock.now, changed: () => told.changed++, stopping: () => told.stopping++, inFlight: () => 0 },
    { slotPerPrediction: false, recordEveryChange: true, promptReads: true }
  );
  gen.prepare(prepared(plan.gate.scorer));
  /** Moves the generation's clock to `ms`: what comes next happens then. */
  const at = (ms: number): Generation => {
    clock.now = ms;
    return gen;
  };
  return { gen, told, at, attempts: gen.attempts };
}

/** Runs the latest attempt's paid call of a scene to `status`, as the workflow would, and books it. */
function ran(gen: Generation, id: string, status: PredictionSnapshot['status']): void {
  const key = `${id}#${gen.scene(id).attempts}`;
  gen.attempts.callCreated(key, snapshot(`p-${key}`, 'starting'), true);
  gen.attempts.predictionRead(key, snapshot(`p-${key}`, status));
  gen.attempts.bookCall(key);
}

const claim = (sceneId: string) => ({ key: `${sceneId}#1`, sceneId, kind: 'scene' as const, estimateUsd: 0.1 });

test('a partial raise lets exactly one waiting scene go; the others wait on, and the run fails only at the deadline', () => {
  const { gen, at, attempts } = generation(4, {
    strategy: { mode: 'parallel' },
    budget: { limitUsd: 0.1, waitTimeout: '1h' },
  });
  assert.equal(attempts.requestBudget(claim('s1')), 'reserved');
  for (const id of ['s2', 's3', 's4']) assert.equal(attempts.requestBudget(claim(id)), 'waiting');
  assert.equal(gen.progress().status, 'awaiting_budget');

  at(1000).operators.raiseBudget(0.1);
  assert.equal(attempts.isGranted('s2#1'), true);
  assert.equal(attempts.isGranted('s3#1'), false);
  // the woken scene proceeds; the others are still in line, and nothing failed
  assert.equal(attempts.endMoneyWait(claim('s2')), true);
  assert.equal(gen.stop, null);
  assert.deepEqual(gen.progress().waitingOn, [{ kind: 'budget', sceneIds: ['s3', 's4'] }]);
  assert.match(gen.progress().waitingFor ?? '', /s3 needs 0\.10 USD, s4 needs 0\.10 USD/);

  at(2000).operators.raiseBudget(0.2);
  assert.equal(attempts.endMoneyWait(claim('s3')), true);
  assert.equal(attempts.endMoneyWait(claim('s4')), true);
  assert.equal(gen.stop, null);
  assert.equal(gen.progress().budget.reservedUsd, 0.4);
});

test('no money before the deadline: BudgetExceeded, naming what the scene needed and what was left', () => {
  const { gen, told, at, attempts } = generation(2, {
    strategy: { mode: 'sequential' },
    budget: { limitUsd: 0.15, waitTimeout: '2s' },
  });
  attempts.requestBudget(claim('s1'));
  attempts.beginAttempt('s1');
  at(10);
  ran(gen, 's1', 'succeeded');
  at(0);
  assert.equal(attempts.requestBudget(claim('s2')), 'waiting');
  at(2000);
  assert.equal(attempts.endMoneyWait(claim('s2')), false);
  assert.equal(gen.stop?.type, 'BudgetExceeded');
  assert.match(
    gen.stop?.message ?? '',
    /the next attempt of scene s2 needs 0\.1000 USD but only 0\.0500 USD .* within 2s/
  );
  assert.equal(told.stopping, 1);
});

test('raises past the maximum leave a finite limit that the status reports', () => {
  const { gen } = generation(1);
  gen.operators.raiseBudget(1e308);
  gen.operators.raiseBudget(1e308);
  const { budget } = gen.progress();
  assert.equal(budget.limitUsd, 1_000_000);
  assert.ok(Number.isFinite(budget.limitUsd));
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(gen.progress())).budget.limitUsd.toFixed(2));
});

test('the status says who the generation waits for: a person first, then money, then an operator', () => {
  const { gen, at, attempts } = generation(3, {
    onSceneFailure: 'await-ops',
    retry: { maxAttemptsPerScene: 1 },
    budget: { limitUsd: 0.1 },
  });
  attempts.requestBudget(claim('s1'));
  attempts.beginAttempt('s1');
  at(10);
  ran(gen, 's1', 'failed');
  attempts.failed('s1', { error: 'E005', permanent: false });
  attempts.exhausted('s1');
  assert.equal(gen.progress().status, 'awaiting_ops');
  attempts.requestBudget(claim('s2'));
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
  const { gen, at, attempts } = generation(5, { strategy: { mode: 'pool', concurrency: 2 } });
  const finish = (id: string, start: number, end: number): void => {
    at(start);
    attempts.requestBudget(claim(id));
    attempts.beginAttempt(id);
    at(end);
    ran(gen, id, 'succeeded');
    attempts.produced(id, { path: `/${id}.mp4`, durationSec: 2 });
    attempts.succeeded(id);
  };
  assert.equal(gen.progress().etaAt, null, 'no pace yet at 0 of 5');
  finish('s1', 0, 4000);
  let progress = gen.progress();
  // 4 left, 2 lanes, 4 s an attempt: two rounds from the last event
  assert.equal(progress.etaAt, new Date(4000 + 2 * 4000).toISOString());
  assert.equal(progress.totals.percent, 20);
  finish('s2', 4000, 8000);
  finish('s3', 8000, 12000);
  attempts.requestBudget(claim('s4'));
  attempts.beginAttempt('s4');
  at(12500);
  ran(gen, 's4', 'failed');
  attempts.failed('s4', { error: 'E005', permanent: true });
  attempts.exhausted('s4');
  progress = gen.progress();
  assert.equal(progress.totals.done, 3);
  assert.equal(progress.totals.percent, 60, '3 of 5 scenes have a clip');
});

test("the scene strength shown is the one its clip was made with, not the next attempt's", () => {
  const { gen, at, attempts } = generation(2, {
    gate: { enabled: true, threshold: 0.9, strengthStep: 0.2, maxAttempts: 3 },
  });
  attempts.requestBudget(claim('s1'));
  const call = attempts.beginAttempt('s1');
  assert.equal(call.input.ip_adapter_scale, 0.5);
  at(10);
  ran(gen, 's1', 'succeeded');
  attempts.produced('s1', { path: '/s1.mp4', durationSec: 2 });
  assert.equal(gen.verdicts.scored('s1', 0.4), 'miss');
  assert.equal(gen.verdicts.missed('s1', null), 'again');
  const scene = gen.progress().scenes[0]!;
  assert.equal(scene.strength, 0.5, 'the clip on show was made at 0.5');
  assert.deepEqual(
    scene.history.map((a) => [a.attempt, a.strength, a.status, a.score]),
    [[1, 0.5, 'missed', 0.4]]
  );
  at(20);
  attempts.requestBudget(attempts.clipClaim('s1'));
  assert.equal(attempts.beginAttempt('s1').input.ip_adapter_scale, 0.7, 'the next attempt is stronger');
});

test('a gate rejected for good ends with its scene failed, not scoring; the rejection says it was the last attempt', () => {
  const { gen, at, attempts } = generation(2, { gate: { enabled: true, scorer: 'manual', maxAttempts: 1 } });
  attempts.requestBudget(claim('s1'));
  attempts.beginAttempt('s1');
  at(10);
  ran(gen, 's1', 'succeeded');
  attempts.produced('s1', { path: '/s1.mp4', durationSec: 2 });
  gen.verdicts.startJudging('s1');
  assert.equal(gen.operators.refuseGateDecision(), null);
  assert.match(at(20).operators.decideGate({ approved: false, text: 'wrong coat' }), /that was the last attempt at s1/);
  assert.match(gen.operators.refuseGateDecision() ?? '', /already rejected/);
  gen.verdicts.endAsk('s1', true);
  gen.halt({ type: 'GateRejected', message: 'rejected' });
  at(30).end('failed');
  const state = gen.finalState('failed', 'rejected');
  assert.equal(state.scenes[0]!.status, 'failed');
  assert.equal(gen.progress().gate.status, 'failed');
  assert.equal(gen.progress().etaAt, null);
  assert.equal(gen.progress().waitingFor, null);
});

test('an operator may retry or skip only a failed scene, and the refusals say why', () => {
  const { gen, at, attempts } = generation(2, { onSceneFailure: 'await-ops', retry: { maxAttemptsPerScene: 1 } });
  assert.equal(gen.operators.refuseSceneAction('nope', 'retried'), 'there is no scene "nope" (scenes: s1, s2)');
  assert.equal(
    gen.operators.refuseSceneAction('s1', 'skipped'),
    'scene s1 is pending; only a failed scene can be skipped'
  );
  attempts.requestBudget(claim('s1'));
  attempts.beginAttempt('s1');
  at(10);
  ran(gen, 's1', 'failed');
  attempts.failed('s1', { error: 'E005', permanent: false });
  attempts.exhausted('s1');
  assert.equal(gen.operators.refuseSceneAction('s1', 'retried'), null);
  assert.equal(
    at(20).operators.retryScene('s1', { prompt: 'again', strength: 0.9 }),
    'scene s1 queued for up to 1 more attempt with a new prompt, strength 0.9'
  );
  assert.equal(gen.scene('s1').status, 'pending');
  at(30);
  attempts.requestBudget(attempts.clipClaim('s1'));
  assert.equal(attempts.beginAttempt('s1').input.prompt, 'again');
});

test('a paid call books its prediction once, from the prediction: reports of other predictions or repeats change nothing', () => {
  const { gen, attempts } = generation(1);
  attempts.requestBudget(claim('s1'));
  const call = attempts.beginAttempt('s1');
  attempts.callCreated(call.key, snapshot('p1', 'starting'), true);
  assert.deepEqual(
    gen.paidCalls.inFlight().map((c) => c.predictionId),
    ['p1']
  );
  attempts.predictionRead(call.key, snapshot('someone-else', 'succeeded'));
  attempts.predictionRead('s9#1', snapshot('p1', 'succeeded'));
  assert.equal(gen.paidCalls.final(call.key), null, 'neither another prediction nor another key counts');
  attempts.predictionRead(call.key, snapshot('p1', 'processing'));
  assert.equal(gen.paidCalls.final(call.key), null, 'only a final state ends it');
  attempts.predictionRead(call.key, snapshot('p1', 'canceled', null));
  attempts.predictionRead(call.key, snapshot('p1', 'succeeded'));
  assert.equal(gen.paidCalls.final(call.key)?.status, 'canceled', 'the first final state wins');
  assert.equal(attempts.bookCall(call.key), 0, 'cancelled before it started: nothing to pay');
  assert.equal(attempts.bookCall(call.key), 0);
  assert.equal(gen.progress().budget.reservedUsd, 0);
});

test('a prediction that exists but was never seen to end is booked at its full estimate, never at nothing', () => {
  const { attempts } = generation(1);
  attempts.requestBudget(claim('s1'));
  const call = attempts.beginAttempt('s1');
  attempts.callCreated(call.key, snapshot('p1', 'processing'), false);
  assert.equal(attempts.bookCall(call.key), 0.1);
});
