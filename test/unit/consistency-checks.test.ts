/** The consistency check after the gate, without Temporal: which scenes, what a drift leads to, what a person's answer does. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../common/catalogue-file';
import { planSchema, type PlanInput } from '../../schema/plan';
import { checkScorerOf } from '../../workflows/rules/check-scorer';
import {
  checkedScenes,
  clipScoreOf,
  ConsistencyChecks,
  framesByGroup,
  unseenGroups,
} from '../../workflows/rules/consistency-checks';
import { Generation } from '../../workflows/rules/generation';

const plan = (extra: Partial<PlanInput> = {}) =>
  planSchema.parse({
    generationId: 'g',
    consistencyGroups: [
      { id: 'mara', kind: 'character', referenceImages: ['m.png'], strength: 0.5 },
      { id: 'lumen', kind: 'product', referenceImages: ['l.png'], strength: 0.3 },
    ],
    scenes: [
      { id: 's1', prompt: 'a', entities: ['mara'] },
      { id: 's2', prompt: 'b', entities: [] },
      { id: 's3', prompt: 'c', entities: ['lumen'] },
      { id: 's4', prompt: 'd', entities: ['mara', 'lumen'] },
    ],
    gate: { threshold: 0.6, maxAttempts: 2 },
    ...extra,
  });

test('the check covers the scenes the plan names that show a group; none without a section', () => {
  assert.deepEqual(checkedScenes(plan()), []);
  assert.deepEqual(checkedScenes(plan({ consistency: {} })), ['s1', 's3', 's4']);
  assert.deepEqual(checkedScenes(plan({ consistency: { scenes: ['s2', 's4'] } })), ['s4']);
});

test('the plan refuses unknown scenes and a manual gate scorer, naming the field', () => {
  const unknown = planSchema.safeParse({ ...plan(), consistency: { scenes: ['s9'] } });
  assert.equal(unknown.success, false);
  assert.match(JSON.stringify(unknown.error?.issues), /consistency.*scenes.*unknown scene \\"s9\\"/);
  const manual = planSchema.safeParse({ ...plan(), gate: { scorer: 'manual' }, consistency: {} });
  assert.equal(manual.success, false);
  assert.match(JSON.stringify(manual.error?.issues), /gate.scorer \\"manual\\" scores nothing/);
});

test("a clip scores as its worst group; the threshold is the section's, else the gate's", () => {
  assert.equal(clipScoreOf({ mara: 0.8, lumen: 0.41 }), 0.41);
  assert.equal(clipScoreOf({}), 0);
  assert.equal(new ConsistencyChecks(plan({ consistency: {} })).threshold, 0.6);
  assert.equal(new ConsistencyChecks(plan({ consistency: { threshold: 0.7 } })).threshold, 0.7);
});

test('regenerate: a drift is made again while the checked attempts stay within gate.maxAttempts, then flagged', () => {
  const checks = new ConsistencyChecks(plan({ consistency: { onDrift: 'regenerate' } }));
  assert.equal(checks.record('s4', 1, { mara: 0.9, lumen: 0.8 }).verdict, 'pass');
  assert.equal(checks.record('s1', 1, { mara: 0.44 }).verdict, 'drift');
  assert.equal(checks.nextStep('s1'), 'regenerate');
  checks.settle('s1', 'regenerated');
  assert.equal(checks.record('s1', 2, { mara: 0.5 }).verdict, 'drift');
  assert.equal(checks.nextStep('s1'), 'flag', 'two checked attempts is gate.maxAttempts');
  checks.settle('s1', 'flagged');
  assert.deepEqual(checks.driftedScenes, ['s1']);
  assert.deepEqual(
    checks.report()?.checks.map((c) => [c.sceneId, c.attempt, c.verdict, c.outcome]),
    [
      ['s4', 1, 'pass', 'kept'],
      ['s1', 1, 'drift', 'regenerated'],
      ['s1', 2, 'drift', 'flagged'],
    ]
  );
});

test('await-approval: only a waiting scene takes a decision, once', () => {
  const checks = new ConsistencyChecks(plan({ consistency: { onDrift: 'await-approval' } }));
  checks.record('s3', 1, { lumen: 0.2 });
  assert.equal(checks.nextStep('s3'), 'ask');
  assert.match(checks.refuseDecision('s3') ?? '', /not waiting for a decision/);
  checks.ask('s3');
  assert.deepEqual(checks.awaiting, ['s3']);
  assert.equal(checks.refuseDecision('s3'), null);
  checks.decide('s3', { approved: true, text: 'fine' });
  assert.match(checks.refuseDecision('s3') ?? '', /already approved/);
  assert.deepEqual(checks.endAsk('s3'), { approved: true, text: 'fine' });
  assert.deepEqual(checks.awaiting, []);
});

test('the check uses the gate scorer; manual scores nothing', () => {
  assert.equal(checkScorerOf('local'), 'local');
  assert.equal(checkScorerOf('clip'), 'clip');
  assert.equal(checkScorerOf('manual'), null);
});

/** A generation with the check, its gate off, prepared with the local scorer. */
function generation(consistency: PlanInput['consistency']) {
  const p = plan({ consistency, gate: { enabled: false, maxAttempts: 2, strengthStep: 0.2, reseedOnFail: true } });
  const gen = new Generation(
    p,
    'g',
    { now: () => 0, changed: () => undefined, stopping: () => undefined, inFlight: () => 0 },
    { slotPerPrediction: false, recordEveryChange: true, promptReads: true }
  );
  gen.prepare({
    references: [
      { groupId: 'mara', source: 'm.png', url: 'https://f/m', localPath: '/x/m.png', sha256: 'a' },
      { groupId: 'lumen', source: 'l.png', url: 'https://f/l', localPath: '/x/l.png', sha256: 'b' },
    ],
    model: loadCatalogue().models.find((m) => m.id === 'scenegate/ip-adapter-video')!,
    scorer: 'local',
    scorerModel: null,
    keyframeModel: null,
  });
  return gen;
}

/** Makes the scene's next attempt and its clip, as the scene driver would. */
function made(gen: Generation, id: string): void {
  gen.attempts.beginAttempt(id);
  gen.attempts.produced(id, { path: `${id}-${gen.scene(id).attempts}.mp4`, durationSec: 5 });
}

test('a regenerated scene escalates as a gate miss: one step stronger, next seed, one more attempt, same ledger', () => {
  const gen = generation({ onDrift: 'regenerate' });
  made(gen, 's4');
  const first = gen.scene('s4').latest!;
  assert.equal(gen.drifts.wants('s4'), true);
  gen.drifts.startChecking('s4');
  assert.deepEqual(gen.drifts.scored('s4', { mara: 0.45, lumen: 0.9 }), { verdict: 'drift', next: 'regenerate' });
  gen.drifts.regenerate('s4', 'drifted');
  assert.equal(gen.scene('s4').exhausted, false);
  const call = gen.attempts.beginAttempt('s4');
  const second = gen.scene('s4').latest!;
  assert.equal(second.strength, Math.round((first.strength + 0.2) * 1000) / 1000);
  assert.equal(second.seed, first.seed + 1);
  assert.equal(call.key, 's4#2');
  const progress = gen.progress();
  assert.equal(progress.scenes[3]!.history[0]!.status, 'missed');
  assert.equal(progress.consistency?.checks[0]?.outcome, 'regenerated');
});

test('await-approval: the scene waits as a drift; a rejection makes it again, an approval keeps it drifted', () => {
  const gen = generation({ onDrift: 'await-approval' });
  made(gen, 's1');
  gen.drifts.startChecking('s1');
  assert.equal(gen.drifts.scored('s1', { mara: 0.3 }).next, 'ask');
  gen.drifts.askPerson('s1');
  const waiting = gen.progress();
  assert.equal(waiting.status, 'awaiting_approval');
  assert.deepEqual(waiting.waitingOn, [{ kind: 'drift', sceneIds: ['s1'] }]);
  assert.match(waiting.waitingFor ?? '', /approve-scene .* rejectScene \{sceneId, reason\}/);
  assert.match(gen.operators.refuseSceneDecision('s9') ?? '', /there is no scene "s9"/);
  assert.match(gen.operators.decideScene('s1', { approved: false, text: 'not her' }), /made again/);
  assert.equal(gen.drifts.endAsk('s1'), 'regenerate');

  made(gen, 's1');
  gen.drifts.startChecking('s1');
  gen.drifts.scored('s1', { mara: 0.31 });
  gen.drifts.askPerson('s1');
  gen.operators.decideScene('s1', { approved: true, text: 'close enough' });
  assert.equal(gen.drifts.endAsk('s1'), 'keep');
  assert.deepEqual(gen.progress().consistency?.driftedScenes, ['s1']);
});

test('flag: a drift keeps its clip and is named; no answer in time flags an asked scene', () => {
  const flagged = generation({ onDrift: 'flag' });
  made(flagged, 's3');
  flagged.drifts.startChecking('s3');
  assert.equal(flagged.drifts.scored('s3', { lumen: 0.1 }).next, 'flag');
  flagged.drifts.flag('s3');
  assert.deepEqual(flagged.progress().consistency?.driftedScenes, ['s3']);

  const asked = generation({ onDrift: 'await-approval' });
  made(asked, 's3');
  asked.drifts.startChecking('s3');
  asked.drifts.scored('s3', { lumen: 0.1 });
  asked.drifts.askPerson('s3');
  assert.equal(asked.drifts.endAsk('s3'), 'keep');
  assert.equal(asked.progress().consistency?.checks[0]?.outcome, 'flagged');
});

test("each group's frames come from its best-scoring reference; a scorer that says nothing of frames gives none", () => {
  const frames = framesByGroup([
    { groupId: 'mara', score: 0.4, source: 'mara-side.png', framesSampled: 3, framesWithSubject: 1, lowestFrameSec: 4 },
    { groupId: 'mara', score: 0.7, source: 'mara.png', framesSampled: 3, framesWithSubject: 3, lowestFrameSec: 2.5 },
    { groupId: 'lumen', score: 0, source: 'lumen.png', framesSampled: 3, framesWithSubject: 0 },
  ]);
  assert.deepEqual(frames, {
    mara: { source: 'mara.png', framesSampled: 3, framesWithSubject: 3, lowestFrameSec: 2.5 },
    lumen: { source: 'lumen.png', framesSampled: 3, framesWithSubject: 0 },
  });
  assert.equal(framesByGroup([{ groupId: 'mara', score: 0.8 }]), undefined);
});

test('a group is unseen when its best reference was found in no frame; a scorer without frames sees all', () => {
  const seen = (groupId: string, framesWithSubject: number) => ({
    groupId,
    score: framesWithSubject ? 0.5 : 0,
    source: `${groupId}.png`,
    framesSampled: 3,
    framesWithSubject,
  });
  assert.deepEqual(unseenGroups([seen('mara', 0), seen('mara', 2), seen('lumen', 0)]), ['lumen']);
  assert.deepEqual(unseenGroups([{ groupId: 'mara', score: 0 }]), []);
});
