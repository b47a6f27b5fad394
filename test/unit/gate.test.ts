import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planSchema } from '../../schema/plan';
import { Gate, gateScenes } from '../../workflows/rules/gate';

const plan = (gate: Record<string, unknown> = {}) =>
  planSchema.parse({
    seed: 10,
    consistencyGroups: [
      { id: 'mara', kind: 'character', referenceImages: ['m.png'], strength: 0.5 },
      { id: 'lumen', kind: 'product', referenceImages: ['l.png'], strength: 0.3 },
    ],
    scenes: [
      { id: 's1', prompt: 'a', entities: ['mara'] },
      { id: 's2', prompt: 'b', entities: ['mara'] },
      { id: 's3', prompt: 'c', entities: ['lumen'] },
      { id: 's4', prompt: 'd', entities: ['mara', 'lumen'] },
    ],
    gate,
  });

test('the gate scenes are scene 1 and the first scene of every group scene 1 does not show', () => {
  assert.deepEqual(gateScenes(plan()), ['s1', 's3']);
  assert.deepEqual(gateScenes(plan({ enabled: false })), []);
});

test('a miss raises the strength of the groups it shows (capped at 1) and, when asked, reseeds', () => {
  const gate = new Gate(plan({ strengthStep: 0.3, reseedOnFail: true }));
  assert.equal(gate.strengthOf(['mara', 'lumen']), 0.5);
  assert.equal(gate.score('s3', 1, 0.3, 0.2), 'miss');
  gate.miss(['lumen']);
  assert.equal(gate.strengthOf(['lumen']), 0.6);
  assert.equal(gate.strengthOf(['mara']), 0.5, 'other groups keep theirs');
  gate.miss(['lumen']);
  gate.miss(['lumen']);
  assert.equal(gate.strengthOf(['lumen']), 1);
  assert.equal(gate.seed, 13);
  assert.equal(gate.scoresOf('s3'), '0.2 at strength 0.3');
  // a 0 because the scorer found the product in no frame is told apart in the failure's words
  gate.score('s3', 2, 0.6, 0, ['lumen']);
  assert.equal(gate.scoresOf('s3'), '0.2 at strength 0.3, 0 at strength 0.6 (lumen not seen)');
  assert.deepEqual(gate.scores.at(-1)?.unseen, ['lumen']);
  assert.equal(gate.scores[0]?.unseen, undefined);
});

test('approving the last missed clip puts its groups back to the strength and seed it was made with', () => {
  const gate = new Gate(plan({ strengthStep: 0.3, reseedOnFail: true }));
  gate.miss(['lumen']);
  gate.miss(['lumen']);
  assert.equal(gate.strengthOf(['lumen']), 0.9);
  assert.equal(gate.escalationOf(['lumen']), 2);
  gate.keepApproved(['lumen']);
  assert.equal(gate.strengthOf(['lumen']), 0.6, 'the second clip was made at 0.6');
  assert.equal(gate.escalationOf(['lumen']), 1);
  assert.equal(gate.seed, 11, 'and with the seed after one miss');
  gate.keepApproved(['mara']);
  assert.equal(gate.strengthOf(['mara']), 0.5, 'a group that never missed keeps its strength');
});

test('a decision is taken only while a gate scene waits for one, and only once', () => {
  const gate = new Gate(plan({ scorer: 'manual' }));
  gate.open();
  assert.match(gate.refuseDecision() ?? '', /not waiting for a decision \(gate running\)/);
  gate.ask('s1');
  assert.equal(gate.status, 'awaiting_approval');
  assert.equal(gate.refuseDecision(), null);
  assert.deepEqual(gate.decide({ approved: true, text: 'ok' }), ['s1']);
  assert.match(gate.refuseDecision() ?? '', /was already approved/);
  assert.deepEqual(gate.endAsk('s1'), { approved: true, text: 'ok' });
  assert.equal(gate.status, 'running');
  gate.approved();
  gate.pass();
  assert.equal(gate.status, 'approved');
});
