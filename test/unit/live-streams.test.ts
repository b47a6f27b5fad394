/** The console's live streams end when it closes, and it waits for the reads they have in flight. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveStreams, pause } from '../../client/console/live-streams';

test('closing ends every stream and waits for the read each has in flight', async () => {
  const live = new LiveStreams();
  let finishRead!: () => void;
  const read = new Promise<void>((resolve) => (finishRead = resolve));
  const events: string[] = [];
  const loop = live.run(async (closing) => {
    while (!closing.aborted) {
      await read;
      events.push('read');
      await pause(60_000, closing);
    }
    events.push('ended');
  });
  let closed = false;
  const closing = live.close().then(() => (closed = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(closed, false, 'close waits while a read is in flight');
  finishRead();
  await closing;
  assert.deepEqual(events, ['read', 'ended']);
  await loop;

  // a stream begun after the close is told at once
  let toldToEnd = false;
  await live.run(async (signal) => {
    toldToEnd = signal.aborted;
  });
  assert.equal(toldToEnd, true);
});

test('a pause ends at its time, or at once when aborted', async () => {
  const stop = new AbortController();
  await pause(5, stop.signal);
  const long = pause(60_000, stop.signal);
  stop.abort();
  await long;
  await pause(60_000, stop.signal);
});
