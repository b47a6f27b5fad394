/** The one owner of a paid call's key, prediction id and cost, without Temporal. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PredictionSnapshot } from '../../schema/prediction';
import { planSchema } from '../../schema/plan';
import { Budget } from '../../workflows/rules/budget';
import type { CallSpec } from '../../workflows/rules/call-specs';
import { PaidCalls } from '../../workflows/rules/paid-calls';

const spec = (usdPerSecond: number): CallSpec => ({
  model: 'owner/model',
  input: { prompt: 'p' },
  pricing: { kind: 'per-output-second', usd: usdPerSecond },
  outputSec: 2,
  typicalMs: 1000,
});

const snapshot = (id: string, status: PredictionSnapshot['status']): PredictionSnapshot => ({
  id,
  status,
  output: null,
  error: null,
  createdAt: '2026-12-04T00:00:00Z',
  startedAt: '2026-12-04T00:00:01Z',
  completedAt: null,
  predictTimeSec: 3,
  dataRemoved: false,
});

/** Paid calls booking into a real budget of `limitUsd`. */
function calls(limitUsd = 10): { calls: PaidCalls; budget: Budget } {
  const { budget: plan } = planSchema.parse({
    consistencyGroups: [{ id: 'hero', kind: 'character', referenceImages: ['hero.png'] }],
    scenes: [{ id: 's1', prompt: 'p', durationSec: 2, entities: ['hero'] }],
    budget: { limitUsd },
  });
  const budget = new Budget(plan);
  return { calls: new PaidCalls((key, usd) => budget.settle(key, usd)), budget };
}

test("one key per call, the same for its claim and its call: an attempt's clip, then its numbered tries at scoring", () => {
  const { calls: paid, budget } = calls();
  const clip = paid.claim({ sceneId: 's2', attempt: 1, step: 'clip', try: 1 }, 0.1);
  const score = paid.claim({ sceneId: 's1', attempt: 2, step: 'score', try: 3 }, 0.01);
  assert.deepEqual([clip.key, clip.kind, score.key, score.kind], ['s2#1', 'scene', 's1#2/score#3', 'score']);
  assert.equal(budget.request(clip, 0), 'reserved');
  const call = paid.open({ sceneId: 's2', attempt: 1, step: 'clip', try: 1 }, spec(0.05));
  assert.equal(call.key, clip.key, 'the call books against the reservation its claim made');
  assert.throws(() => paid.open({ sceneId: 's2', attempt: 1, step: 'clip', try: 1 }, spec(0.05)), /already open/);
});

test("an attempt's prediction and cost are read from its calls, and its scoring is not part of its cost", () => {
  const { calls: paid, budget } = calls();
  const place = { sceneId: 's1', attempt: 1, step: 'clip', try: 1 } as const;
  budget.request(paid.claim(place, 0.1), 0);
  const clip = paid.open(place, spec(0.05));
  assert.deepEqual(paid.ofAttempt('s1', 1), { predictionId: null, costUsd: null });
  paid.created(clip.key, snapshot('p1', 'starting'), true);
  assert.deepEqual(paid.ofAttempt('s1', 1), { predictionId: 'p1', costUsd: null }, 'not booked yet: no cost');
  paid.observe(clip.key, snapshot('p1', 'succeeded'));
  assert.equal(paid.book(clip.key), 0.1);

  const scoring = { sceneId: 's1', attempt: 1, step: 'score', try: 1 } as const;
  budget.request(paid.claim(scoring, 0.02), 0);
  const score = paid.open(scoring, spec(0.01));
  paid.created(score.key, snapshot('p2', 'succeeded'), false);
  assert.equal(paid.book(score.key), 0.02);
  assert.deepEqual(paid.ofAttempt('s1', 1), { predictionId: 'p1', costUsd: 0.1 });
  assert.equal(budget.spentOn('s1'), 0.12, 'the scene paid for both');
  assert.deepEqual(paid.ofAttempt('s1', 2), { predictionId: null, costUsd: null }, 'no such attempt');
});

test('a call is booked once into the budget, whatever asks again', () => {
  const { calls: paid, budget } = calls();
  const place = { sceneId: 's1', attempt: 1, step: 'clip', try: 1 } as const;
  budget.request(paid.claim(place, 0.1), 0);
  const call = paid.open(place, spec(0.05));
  paid.created(call.key, snapshot('p1', 'failed'), true);
  assert.equal(paid.book(call.key), 0.1, 'a failed run that started is paid');
  assert.equal(paid.book(call.key), 0.1);
  assert.equal(budget.spentUsd, 0.1);
  assert.equal(budget.reservedUsd, 0);
  assert.throws(() => paid.book('s9#1'), /no paid call s9#1/);
});

test("a webhook's report of an end is only a claim: a read decides, and a report after the end changes nothing", () => {
  const { calls: paid, budget } = calls();
  const place = { sceneId: 's1', attempt: 1, step: 'clip', try: 1 } as const;
  budget.request(paid.claim(place, 0.1), 0);
  const call = paid.open(place, spec(0.05));
  paid.created(call.key, snapshot('p1', 'starting'), true);
  assert.equal(paid.report(call.key, snapshot('someone-else', 'aborted')), false, "another prediction's end");
  assert.equal(paid.report(call.key, snapshot('p1', 'processing')), false, 'not an end');
  assert.equal(paid.report(call.key, snapshot('p1', 'aborted')), true);
  assert.equal(paid.report(call.key, snapshot('p1', 'aborted')), false, 'a copy while the first waits for its read');
  assert.equal(paid.final(call.key), null, 'a report is not an end');
  assert.equal(paid.takeReport(call.key)?.status, 'aborted');
  paid.observe(call.key, snapshot('p1', 'processing'));
  assert.equal(paid.final(call.key), null, 'the read says it still runs');
  assert.equal(paid.report(call.key, snapshot('p1', 'succeeded')), true, 'a new report after the read counts again');
  paid.observe(call.key, snapshot('p1', 'succeeded'));
  assert.equal(paid.reported(call.key), null, 'the read answered the report');
  assert.equal(paid.report(call.key, snapshot('p1', 'aborted')), false, 'the end is known');
  assert.equal(paid.book(call.key), 0.1, 'booked from the read, not from the forged aborted end');
});

test("an end reported before the create's answer is kept, and counts once the create names that prediction", () => {
  const { calls: paid, budget } = calls();
  const place = { sceneId: 's1', attempt: 1, step: 'clip', try: 1 } as const;
  budget.request(paid.claim(place, 0.1), 0);
  const call = paid.open(place, spec(0.05));
  assert.equal(paid.report(call.key, snapshot('forged', 'succeeded')), false, 'no prediction yet: kept, not counted');
  assert.equal(paid.report(call.key, snapshot('p1', 'succeeded')), false);
  for (let i = 0; i < 5; i++) paid.report(call.key, snapshot(`flood-${i}`, 'failed'));
  assert.equal(paid.hasEarlyReport(call.key), true);
  paid.created(call.key, snapshot('p1', 'starting'), true);
  assert.equal(paid.reported(call.key), null, 'the create alone does not take it');
  assert.equal(paid.takeEarlyReport(call.key), true);
  assert.equal(paid.reported(call.key)?.id, 'p1', "this prediction's end, not the forged one");
  assert.equal(paid.final(call.key), null, 'still only a report, for a read to confirm');
  assert.equal(paid.hasEarlyReport(call.key), false);
});

test("an early report of another prediction is dropped once the create names this call's", () => {
  const { calls: paid, budget } = calls();
  const place = { sceneId: 's1', attempt: 1, step: 'clip', try: 1 } as const;
  budget.request(paid.claim(place, 0.1), 0);
  const call = paid.open(place, spec(0.05));
  paid.report(call.key, snapshot('someone-else', 'succeeded'));
  paid.created(call.key, snapshot('p1', 'starting'), true);
  assert.equal(paid.takeEarlyReport(call.key), false);
  assert.equal(paid.reported(call.key), null);
});
