import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BudgetLedger } from '../../workflows/budget-ledger';

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
  assert.equal(ledger.snapshot().entries.length, 2);
});

test('a key is reserved once and settled once', () => {
  const ledger = new BudgetLedger(1);
  ledger.reserve('x', 'x', 'scene', 0.1);
  assert.throws(() => ledger.reserve('x', 'x', 'scene', 0.1), /already reserved/);
  ledger.settle('x', 0);
  assert.throws(() => ledger.settle('x', 0), /not reserved/);
});
