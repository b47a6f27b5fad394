import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SceneScheduler } from '../../workflows/rules/scheduler';

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

const strategies = fc.record({
  mode: fc.constantFrom('sequential' as const, 'batched' as const, 'pool' as const, 'parallel' as const),
  concurrency: fc.integer({ min: 1, max: 6 }),
});

/**
 * A random run: scenes released in one or two releases (the gate, then the rest); each running
 * prediction ends at a random moment (the scene then finishes: its clip is collected without a
 * slot), and a finishing scene either settles or, once, goes back for another attempt.
 */
test('property: never more predictions in flight than the strategy allows, batches never overlap, every scene ends', () => {
  fc.assert(
    fc.property(
      strategies,
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 0, max: 3 }),
      fc.array(fc.nat(), { minLength: 80, maxLength: 80 }),
      fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      (strategy, count, gated, picks, retries) => {
        const s = new SceneScheduler(strategy);
        const scenes = ids(count);
        const first = scenes.slice(0, Math.min(gated, count));
        s.release(first.length ? first : scenes);
        const limit = strategy.mode === 'sequential' ? 1 : strategy.mode === 'parallel' ? count : strategy.concurrency;
        const running: string[] = [];
        const finishing: string[] = [];
        const retried = new Set<string>();
        const batchOf = new Map<string, number>();
        let batch = 0;
        let released = first.length === 0;
        for (let step = 0; step < 600; step++) {
          const next = s.startable();
          if (next.length) {
            if (strategy.mode === 'batched') {
              // a batch starts only when nothing of the one before runs or finishes
              const busy = [...running, ...finishing].filter((id) => batchOf.has(id));
              const open = busy.length ? batchOf.get(busy[0]!) : undefined;
              const nextBatch = batchOf.get(next[0]!) ?? ++batch;
              if (open !== undefined) assert.equal(nextBatch, open, 'a new batch started while another was not over');
              for (const id of next) if (!batchOf.has(id)) batchOf.set(id, nextBatch);
            }
            for (const id of next) {
              s.mark(id, 'running');
              running.push(id);
            }
          }
          assert.ok(
            running.length <= limit,
            `${running.length} in flight under ${strategy.mode} x${strategy.concurrency}`
          );
          assert.equal(s.running, running.length);
          const pick = picks[step % picks.length]!;
          if (running.length && (pick % 2 === 0 || !finishing.length)) {
            const [ended] = running.splice(pick % running.length, 1);
            s.mark(ended!, 'finishing');
            finishing.push(ended!);
          } else if (finishing.length) {
            const [done] = finishing.splice(pick % finishing.length, 1);
            const index = Number(done!.slice(1)) - 1;
            if (retries[index] && !retried.has(done!)) {
              retried.add(done!);
              s.mark(done!, 'waiting');
            } else {
              s.mark(done!, 'settled');
            }
          } else if (!released) {
            s.release(scenes);
            released = true;
          } else {
            break;
          }
        }
        assert.equal(s.idle, true, 'every scene settled');
      }
    ),
    { numRuns: 300 }
  );
});
