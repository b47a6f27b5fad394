import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SceneScheduler } from '../../workflows/scheduler';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `s${i + 1}`);

/** Runs every scene to completion, finishing them in the given order of preference, and records peak concurrency. */
function drive(
  scheduler: SceneScheduler,
  finishOrder: (running: string[]) => string
): { peak: number; starts: string[][] } {
  const running: string[] = [];
  const starts: string[][] = [];
  let peak = 0;
  for (;;) {
    const next = scheduler.startable();
    if (next.length) {
      starts.push(next);
      for (const id of next) {
        scheduler.mark(id, 'running');
        running.push(id);
      }
    }
    peak = Math.max(peak, running.length);
    if (running.length === 0) break;
    const done = finishOrder(running);
    running.splice(running.indexOf(done), 1);
    scheduler.mark(done, 'settled');
  }
  return { peak, starts };
}

test('sequential runs one at a time in plan order', () => {
  const s = new SceneScheduler({ mode: 'sequential', concurrency: 4 });
  s.release(ids(4));
  const { peak, starts } = drive(s, (r) => r[0]!);
  assert.equal(peak, 1);
  assert.deepEqual(starts.flat(), ids(4));
});

test('parallel starts everything released at once', () => {
  const s = new SceneScheduler({ mode: 'parallel', concurrency: 2 });
  s.release(ids(7));
  const { peak, starts } = drive(s, (r) => r[r.length - 1]!);
  assert.equal(peak, 7);
  assert.equal(starts.length, 1);
});

test('batched waits for the whole batch, even when its first scene finishes early', () => {
  const s = new SceneScheduler({ mode: 'batched', concurrency: 3 });
  s.release(ids(7));
  const { peak, starts } = drive(s, (r) => r[0]!);
  assert.equal(peak, 3);
  assert.deepEqual(starts, [['s1', 's2', 's3'], ['s4', 's5', 's6'], ['s7']]);
});

test('pool refills a slot the moment one frees', () => {
  const s = new SceneScheduler({ mode: 'pool', concurrency: 3 });
  s.release(ids(7));
  const { peak, starts } = drive(s, (r) => r[0]!);
  assert.equal(peak, 3);
  assert.deepEqual(starts, [['s1', 's2', 's3'], ['s4'], ['s5'], ['s6'], ['s7']]);
});

test('scenes released after the gate form fresh batches', () => {
  const s = new SceneScheduler({ mode: 'batched', concurrency: 2 });
  s.release(['s1']);
  assert.deepEqual(s.startable(), ['s1']);
  s.mark('s1', 'running');
  s.mark('s1', 'settled');
  s.release(['s2', 's3', 's4', 's5', 's6']);
  const { starts } = drive(s, (r) => r[0]!);
  assert.deepEqual(starts, [['s2', 's3'], ['s4', 's5'], ['s6']]);
});

test('a retried scene keeps its batch open', () => {
  const s = new SceneScheduler({ mode: 'batched', concurrency: 2 });
  s.release(ids(4));
  assert.deepEqual(s.startable(), ['s1', 's2']);
  s.mark('s1', 'running');
  s.mark('s2', 'running');
  s.mark('s1', 'settled');
  s.mark('s2', 'waiting'); // its attempt failed and goes again
  assert.deepEqual(s.startable(), ['s2']);
  s.mark('s2', 'running');
  assert.deepEqual(s.startable(), []);
  s.mark('s2', 'settled');
  assert.deepEqual(s.startable(), ['s3', 's4']);
  assert.equal(s.idle, false);
});
