import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_BUDGET_USD } from '../../schema/money';
import { BudgetLedger } from '../../workflows/rules/budget-ledger';

test('reservations and settlements never let spent + reserved cross the limit', () => {
  const ledger = new BudgetLedger(1);
  assert.ok(ledger.canReserve(0.25));
  ledger.reserve('s1#1', 's1', 'scene', 0.25);
  ledger.reserve('s2#1', 's2', 'scene', 0.25);
  ledger.reserve('s3#1', 's3', 'scene', 0.25);
  ledger.reserve('s4#1', 's4', 'scene', 0.25);
  assert.equal(ledger.canReserve(0.01), false);
  assert.throws(() => ledger.reserve('s5#1', 's5', 'scene', 0.01), /would cross the limit/);
  ledger.settle('s1#1', 0.2);
  assert.equal(ledger.spentUsd, 0.2);
  assert.equal(ledger.reservedUsd, 0.75);
  assert.ok(Math.abs(ledger.availableUsd - 0.05) < 1e-9);
  assert.ok(ledger.canReserve(0.05));
  assert.equal(ledger.canReserve(0.050001), false);
});

test('many small prices add up exactly', () => {
  const ledger = new BudgetLedger(1);
  for (let i = 0; i < 10; i++) {
    ledger.reserve(`k${i}`, 's', 'scene', 0.1);
    ledger.settle(`k${i}`, 0.1);
  }
  assert.equal(ledger.spentUsd, 1);
  assert.equal(ledger.canReserve(0), true);
  assert.equal(ledger.canReserve(0.000001), false);
});

test('failed attempts are paid and counted per scene; raise and set move the limit', () => {
  const ledger = new BudgetLedger(0.5);
  ledger.reserve('a#1', 'a', 'scene', 0.25);
  ledger.settle('a#1', 0.25);
  ledger.reserve('a#2', 'a', 'scene', 0.25);
  ledger.settle('a#2', 0.25);
  assert.equal(ledger.spentOn('a'), 0.5);
  assert.equal(ledger.canReserve(0.25), false);
  ledger.raise(0.25);
  assert.equal(ledger.limitUsd, 0.75);
  assert.ok(ledger.canReserve(0.25));
  ledger.setLimit(0.5);
  assert.equal(ledger.canReserve(0.01), false);
});

test('a key is reserved once and settled once', () => {
  const ledger = new BudgetLedger(1);
  ledger.reserve('x', 'x', 'scene', 0.1);
  assert.throws(() => ledger.reserve('x', 'x', 'scene', 0.1), /already reserved/);
  ledger.settle('x', 0);
  assert.throws(() => ledger.settle('x', 0), /not reserved/);
});

test('the limit never goes past the maximum, however large or many the raises', () => {
  const ledger = new BudgetLedger(5);
  ledger.raise(1e308);
  ledger.raise(1e308);
  assert.equal(ledger.limitUsd, MAX_BUDGET_USD);
  assert.ok(Number.isFinite(ledger.availableUsd));
  assert.equal(ledger.setLimit(Number.POSITIVE_INFINITY), MAX_BUDGET_USD);
  assert.equal(ledger.setLimit(-3), 0);
});

/** A random run of ledger operations: reserve (when it fits), settle, raise, set. */
const operations = fc.array(
  fc.oneof(
    fc.record({
      op: fc.constant('reserve' as const),
      scene: fc.integer({ min: 0, max: 4 }),
      usd: fc.double({ min: 0, max: 3, noNaN: true }),
    }),
    fc.record({ op: fc.constant('settle' as const), pick: fc.nat(), usd: fc.double({ min: 0, max: 3, noNaN: true }) }),
    fc.record({ op: fc.constant('raise' as const), usd: fc.double({ min: 0, max: 5, noNaN: true }) }),
    fc.record({ op: fc.constant('set' as const), usd: fc.double({ min: 0, max: 10, noNaN: true }) })
  ),
  { maxLength: 60 }
);

test('property: reserving never takes spent + reserved past the limit, and per-scene costs sum to the total', () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 10, noNaN: true }), operations, (limit, ops) => {
      const ledger = new BudgetLedger(limit);
      const open: string[] = [];
      let n = 0;
      for (const step of ops) {
        if (step.op === 'reserve' && ledger.canReserve(step.usd)) {
          const key = `k${n++}`;
          ledger.reserve(key, `s${step.scene}`, 'scene', step.usd);
          open.push(key);
          // the invariant the admission relies on: a reservation never crosses the limit
          assert.ok(ledger.spentUsd + ledger.reservedUsd <= ledger.limitUsd + 1e-6);
        } else if (step.op === 'settle' && open.length > 0) {
          const [key] = open.splice(step.pick % open.length, 1);
          ledger.settle(key!, step.usd);
        } else if (step.op === 'raise') {
          ledger.raise(step.usd);
        } else if (step.op === 'set') {
          ledger.setLimit(step.usd);
        }
      }
      const perScene = [0, 1, 2, 3, 4].reduce((sum, i) => sum + ledger.spentOn(`s${i}`), 0);
      assert.ok(Math.abs(perScene - ledger.spentUsd) < 1e-6, `per scene ${perScene}, total ${ledger.spentUsd}`);
      assert.ok(ledger.reservedUsd >= -1e-9);
    })
  );
});

test('property: while every call settles at or below its estimate, spent + reserved stays within the limit', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 10, noNaN: true }),
      fc.array(
        fc.tuple(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()),
        {
          maxLength: 50,
        }
      ),
      (limit, calls) => {
        const ledger = new BudgetLedger(limit);
        const open: { key: string; estimate: number; fraction: number }[] = [];
        calls.forEach(([estimate, fraction, settleOne], i) => {
          if (ledger.canReserve(estimate)) {
            ledger.reserve(`k${i}`, 's', 'scene', estimate);
            open.push({ key: `k${i}`, estimate, fraction });
          }
          if (settleOne && open.length) {
            const call = open.shift()!;
            ledger.settle(call.key, call.estimate * call.fraction);
          }
          assert.ok(ledger.spentUsd + ledger.reservedUsd <= ledger.limitUsd + 1e-6);
        });
      }
    )
  );
});

test('a split gives part of a reservation its own key: each part settles alone, and the total held never changes', () => {
  const ledger = new BudgetLedger(2);
  ledger.reserve('s1#1', 's1', 'scene', 1.03);
  ledger.split('s1#1', 's1#1/keyframe#1', 0.03);
  assert.equal(ledger.reservedUsd, 1.03);
  ledger.settle('s1#1/keyframe#1', 0.02);
  assert.equal(ledger.reservedUsd, 1);
  assert.equal(ledger.spentUsd, 0.02);
  // the clip was never started: its part is given back whole
  ledger.settle('s1#1', 0);
  assert.equal(ledger.reservedUsd, 0);
  assert.equal(ledger.spentOn('s1'), 0.02);
});

test('a split refuses more than the reservation holds, and a key already open', () => {
  const ledger = new BudgetLedger(2);
  ledger.reserve('a', 's1', 'scene', 0.5);
  ledger.reserve('b', 's1', 'scene', 0.5);
  assert.throws(() => ledger.split('a', 'a/keyframe#1', 0.6), /does not hold 0.6 USD/);
  assert.throws(() => ledger.split('a', 'b', 0.1), /already reserved/);
  assert.throws(() => ledger.split('missing', 'x', 0.1), /does not hold/);
  assert.equal(ledger.reservedUsd, 1);
});
