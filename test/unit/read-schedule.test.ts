/** When the workflow reads a prediction it waits for, with and without a webhook. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSchedule } from '../../workflows/rules/read-schedule';

const CHECK = 30_000;

test('with a webhook coming, reads only make up for a lost one: after the typical time and a check, then every check', () => {
  assert.deepEqual(readSchedule({ typicalMs: 120_000, webhook: true }, CHECK, true), {
    firstAfterMs: 150_000,
    everyMs: 30_000,
  });
});

test('without one, reads start at half the typical time and come every quarter of it, between 1 s and 8 s', () => {
  // a two-minute video model: every 8 s from the first minute, 7.5 reads a minute
  assert.deepEqual(readSchedule({ typicalMs: 120_000, webhook: false }, CHECK, true), {
    firstAfterMs: 60_000,
    everyMs: 8_000,
  });
  // a 20 s model: every 5 s
  assert.deepEqual(readSchedule({ typicalMs: 20_000, webhook: false }, CHECK, true), {
    firstAfterMs: 10_000,
    everyMs: 5_000,
  });
  // a model of a second or two is not read more than once a second
  assert.deepEqual(readSchedule({ typicalMs: 1_000, webhook: false }, CHECK, true), {
    firstAfterMs: 500,
    everyMs: 1_000,
  });
  // and never less often than the plan's own check asks
  assert.equal(readSchedule({ typicalMs: 120_000, webhook: false }, 2_000, true).everyMs, 2_000);
});

test('runs begun before prompt reads read as they did: from the typical time, then every check', () => {
  assert.deepEqual(readSchedule({ typicalMs: 120_000, webhook: false }, CHECK, false), {
    firstAfterMs: 120_000,
    everyMs: 30_000,
  });
});
