/** Nudges: a live page reads again as soon as an action on its generation is answered. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
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

test('a wait ends at its time even when the heap is collected meanwhile, and leaves nothing on the page', async () => {
  // the collection is what took the timer away from a live page under load (nodejs/node#57736)
  v8.setFlagsFromString('--expose-gc');
  const collect = vm.runInNewContext('gc') as () => void;
  const nudges = new Nudges();
  const page = new AbortController();
  let listeners = 0;
  const add = page.signal.addEventListener.bind(page.signal);
  page.signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>) => {
    listeners += 1;
    add(...args);
  };
  const remove = page.signal.removeEventListener.bind(page.signal);
  page.signal.removeEventListener = (...args: Parameters<AbortSignal['removeEventListener']>) => {
    listeners -= 1;
    remove(...args);
  };
  const waits = Array.from({ length: 20 }, () => nudges.wait('a', nudges.count('a'), 200, page.signal));
  // in a later task: what a weak reference points to is kept until the task that made it ends
  await new Promise((resolve) => setTimeout(resolve, 20));
  collect();
  let ended = 0;
  for (const wait of waits) void wait.then(() => (ended += 1));
  // the test runner's own timeout would catch a wait that never ends; this names it sooner
  const stuck = new Promise<void>((_, reject) => {
    const timer = setTimeout(() => reject(new Error(`${20 - ended} of 20 waits never ended`)), 5000);
    void Promise.all(waits).then(() => clearTimeout(timer));
  });
  await Promise.race([Promise.all(waits), stuck]);
  assert.equal(listeners, 0, 'every wait took its listener off the page again');
});
