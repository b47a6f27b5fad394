/** Nudges: a live page reads again as soon as an action on its generation is answered. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Nudges } from '../../client/console/nudges';

// long enough that a test relying on it would time out rather than pass
const LONG = 600_000;

test('a nudge ends a wait on the same generation, not on another', async () => {
  const nudges = new Nudges();
  const waiting = nudges.wait('a', nudges.count('a'), LONG);
  nudges.nudge('a');
  await waiting;
  assert.equal(nudges.count('a'), 1);
  assert.equal(nudges.count('b'), 0);
  // a wait nobody nudges ends at its time (its timer does not hold the process open: this does)
  const open = setTimeout(() => undefined, LONG);
  await nudges.wait('b', nudges.count('b'), 10);
  clearTimeout(open);
});

test('a nudge while the page was reading is not missed: the next wait returns at once', async () => {
  const nudges = new Nudges();
  const seen = nudges.count('a');
  nudges.nudge('a');
  await nudges.wait('a', seen, LONG);
});

test('a page that goes away stops waiting', async () => {
  const nudges = new Nudges();
  const page = new AbortController();
  const waiting = nudges.wait('a', nudges.count('a'), LONG, page.signal);
  page.abort();
  await waiting;
  await nudges.wait('a', nudges.count('a'), LONG, page.signal);
});

test('a generation named like an event the emitter treats apart ("error") is nudged like any other', async () => {
  const nudges = new Nudges();
  for (const id of ['error', 'newListener', 'removeListener']) {
    const waiting = nudges.wait(id, nudges.count(id), LONG);
    nudges.nudge(id);
    await waiting;
    nudges.nudge(id);
    assert.equal(nudges.count(id), 2);
  }
});
