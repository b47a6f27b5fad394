/** The storyboard's rules without Temporal: who waits on it, when it may be released, what may be redone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyframesStillComing, Storyboard } from '../../workflows/rules/storyboard';

test('a storyboard is released only once no keyframe is still being made, and then only once', () => {
  const board = new Storyboard(true, ['s1', 's2', 's3']);
  assert.equal(board.refuseRelease([]), 'no keyframe is on the storyboard');
  board.arrive('s3');
  assert.match(board.refuseRelease(['s1', 's2'])!, /still being made for s1, s2/);
  board.arrive('s1');
  board.arrive('s2');
  assert.equal(board.refuseRelease([]), null);
  // told in plan order, as the strip shows them, whatever order the keyframes came in
  assert.deepEqual(board.report(), { status: 'open', sceneIds: ['s1', 's2', 's3'] });
  board.release('looks right');
  assert.equal(board.holding, false);
  assert.equal(board.refuseRelease([]), 'the storyboard was already released');
  assert.deepEqual(board.report(), { status: 'released', sceneIds: ['s1', 's2', 's3'], note: 'looks right' });
});

test('a redo is taken only for a keyframe on the open storyboard, once; leaving clears it', () => {
  const board = new Storyboard(true, ['s1', 's2', 's3']);
  assert.match(board.refuseRedo('s2')!, /not on the storyboard \(no keyframe is on it yet\)/);
  board.arrive('s1');
  assert.match(board.refuseRedo('s2')!, /not on the storyboard \(on it: s1\)/);
  assert.equal(board.refuseRedo('s1'), null);
  board.redo('s1', 'the jacket is red');
  assert.equal(board.redoOf('s1'), 'the jacket is red');
  assert.match(board.refuseRedo('s1')!, /already being made again/);
  board.leave('s1');
  assert.equal(board.redoOf('s1'), undefined);
  assert.deepEqual(board.sceneIds, []);
  board.arrive('s1');
  board.release('go');
  assert.match(board.refuseRedo('s1')!, /already released/);
});

test('without a storyboard nothing waits and both updates are refused', () => {
  const board = new Storyboard(false, ['s1', 's2', 's3']);
  assert.equal(board.holding, false);
  assert.equal(board.report(), null);
  assert.match(board.refuseRelease([])!, /no storyboard/);
  assert.match(board.refuseRedo('s1')!, /no storyboard/);
});

test('keyframes still coming: scenes neither on the storyboard nor done, failed, skipped or waiting for an operator', () => {
  const scenes = [
    { id: 's1', status: 'scoring' as const },
    { id: 's2', status: 'running' as const },
    { id: 's3', status: 'pending' as const },
    { id: 's4', status: 'failed' as const },
    { id: 's5', status: 'awaiting_ops' as const },
    { id: 's6', status: 'skipped' as const },
  ];
  assert.deepEqual(keyframesStillComing(scenes, ['s1']), ['s2', 's3']);
});
