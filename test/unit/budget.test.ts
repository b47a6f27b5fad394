/** The budget rule: reserve, wait in line, refuse, give back, settle. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planSchema, type PlanInput } from '../../schema/plan';
import type { BudgetClaim } from '../../workflows/rules/budget-admission';
import { Budget } from '../../workflows/rules/budget';

const claim = (sceneId: string, kind: BudgetClaim['kind'] = 'scene'): BudgetClaim => ({
  key: `${sceneId}#1${kind === 'score' ? '/score#1' : ''}`,
  sceneId,
  kind,
  estimateUsd: 0.1,
});

function budget(settings: PlanInput['budget']): Budget {
  return new Budget(
    planSchema.parse({
      consistencyGroups: [{ id: 'hero', kind: 'character', referenceImages: ['hero.png'] }],
      scenes: [{ id: 's1', prompt: 'p', durationSec: 2, entities: ['hero'] }],
      budget: settings,
    }).budget
  );
}

test('a claim that does not fit waits in line, named with what it needs; with onExceeded fail it is refused and holds nothing', () => {
  const pausing = budget({ limitUsd: 0.1 });
  assert.equal(pausing.request(claim('s1'), 0), 'reserved');
  assert.equal(pausing.request(claim('s2'), 0), 'waiting');
  assert.deepEqual(pausing.moneyWaits, [{ sceneId: 's2', needsUsd: 0.1 }]);

  const failing = budget({ limitUsd: 0.1, onExceeded: 'fail' });
  failing.request(claim('s1'), 0);
  assert.equal(failing.request(claim('s2', 'score'), 0), 'refused');
  assert.deepEqual(failing.moneyWaits, []);
  assert.equal(failing.deadline, null, 'nobody waits');
  assert.equal(
    failing.shortfall(claim('s2', 'score')),
    'the gate score of scene s2 needs 0.1000 USD but only 0.0000 USD of the 0.1 USD budget is left (0.0000 spent, 0.1000 reserved)'
  );
});

test('a wait ends in money to spend, in time running out, or, when the generation stops, with any reservation given back', () => {
  const b = budget({ limitUsd: 0.1, waitTimeout: '1m' });
  b.request(claim('s1'), 0);
  b.request(claim('s2'), 0);
  b.request(claim('s3'), 0);
  assert.equal(b.endWait(claim('s3'), false), 'timed-out');
  b.raise(0.1, 1000);
  assert.equal(b.isGranted('s2#1'), true);
  assert.equal(b.endWait(claim('s2'), true), 'stopped');
  assert.equal(b.reservedUsd, 0.1, "the stopped scene's reservation went back; s1's stays");
  assert.deepEqual(b.moneyWaits, []);
});

test('money a booked call did not use lets the oldest waiting claim go', () => {
  const b = budget({ limitUsd: 0.1 });
  b.request(claim('s1'), 0);
  b.request(claim('s2'), 0);
  b.settle('s1#1', 0);
  assert.equal(b.isGranted('s2#1'), true);
  assert.equal(b.endWait(claim('s2'), false), 'spend');
  assert.equal(b.spentUsd, 0);
  assert.equal(b.reservedUsd, 0.1);
});
