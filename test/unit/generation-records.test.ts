/**
 * Every change to a generation records itself: what follows the generation (the workflow's
 * driver, the progress it publishes) waits on its version, so a change that did not move it
 * would go unseen until the next one. Runs begun before the record-every-change patch keep
 * their old, fewer records, so their histories replay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../common/catalogue-file';
import { planSchema } from '../../schema/plan';
import type { PredictionSnapshot } from '../../schema/prediction';
import { Generation } from '../../workflows/rules/generation';

const model = loadCatalogue().models.find((m) => m.id === 'scenegate/ip-adapter-video')!;
const scorerModel = loadCatalogue().scorers.clip;

const snapshot = (id: string, status: PredictionSnapshot['status']): PredictionSnapshot => ({
  id,
  status,
  output: status === 'succeeded' ? 'https://delivery/out.mp4' : null,
  error: null,
  createdAt: '2026-12-04T00:00:00Z',
  startedAt: '2026-12-04T00:00:00Z',
  completedAt: null,
  predictTimeSec: 2,
  dataRemoved: false,
});

/** Walks one gated scene with a CLIP score through every step, noting which steps moved the version. */
function walk(recordEveryChange: boolean): { recorded: string[]; silent: string[] } {
  const plan = planSchema.parse({
    consistencyGroups: [{ id: 'hero', kind: 'character', referenceImages: ['hero.png'] }],
    scenes: ['s1', 's2'].map((id) => ({ id, prompt: id, durationSec: 2, entities: ['hero'] })),
    gate: { scorer: 'clip', threshold: 0.5 },
    budget: { limitUsd: 0.2 },
    onSceneFailure: 'await-ops',
  });
  const gen = new Generation(
    plan,
    'g',
    { now: () => 0, changed: () => undefined, stopping: () => undefined, inFlight: () => 0 },
    { slotPerPrediction: true, recordEveryChange, promptReads: true }
  );
  const { attempts, verdicts, operators } = gen;
  const recorded: string[] = [];
  const silent: string[] = [];
  const step = (name: string, change: () => unknown): void => {
    const before = gen.version;
    change();
    (gen.version === before ? silent : recorded).push(name);
  };
  const references = [{ groupId: 'hero', source: 'h', url: 'https://f/h', localPath: '/h', sha256: 'a' }];
  step('prepare', () => gen.prepare({ references, model, keyframeModel: null, scorer: 'clip', scorerModel }));
  step('takeSlot (a new task)', () => attempts.takeSlot('s1', false));
  step('queue', () => attempts.queue('s1'));
  const clip = attempts.clipClaim('s1');
  step('requestBudget (reserved at once)', () => attempts.requestBudget(clip));
  step('beginAttempt', () => attempts.beginAttempt('s1'));
  step('callCreated', () => attempts.callCreated(clip.key, snapshot('p1', 'starting'), true));
  step('predictionObserved', () => attempts.predictionObserved(clip.key, snapshot('p1', 'succeeded')));
  step('bookCall', () => attempts.bookCall(clip.key));
  step('predictionEnded', () => attempts.predictionEnded('s1'));
  step('produced', () => attempts.produced('s1', { path: '/s1.mp4', durationSec: 2 }));
  step('startJudging', () => verdicts.startJudging('s1'));
  const score = attempts.scores.claim('s1', 1);
  attempts.requestBudget(score);
  step('beginScore', () => attempts.scores.begin('s1', 1, ['https://f/frame']));
  step('missed', () => verdicts.missed('s1', null));
  step('needsSlot', () => attempts.needsSlot('s1'));
  step('takeSlot (a waiting task)', () => attempts.takeSlot('s1', true));
  const again = attempts.clipClaim('s1');
  step('requestBudget (waiting)', () => attempts.requestBudget(again));
  step('raiseBudget', () => operators.raiseBudget(1));
  step('endMoneyWait (granted)', () => attempts.endMoneyWait(again));
  step('beginAttempt again', () => attempts.beginAttempt('s1'));
  step('failed', () => attempts.failed('s1', { error: 'E005', permanent: true }));
  step('exhausted', () => attempts.exhausted('s1'));
  step('abort', () => operators.abort('enough'));
  step('sceneSettled', () => attempts.sceneSettled('s1'));
  step('end', () => gen.end('failed'));
  return { recorded, silent };
}

test('with record-every-change, every step of a scene, its gate, its money and its operators records itself', () => {
  assert.deepEqual(walk(true).silent, []);
});

test('runs begun before it keep the records they had, so their histories replay as they ran', () => {
  assert.deepEqual(walk(false).silent, [
    'takeSlot (a new task)',
    'queue',
    'requestBudget (reserved at once)',
    'bookCall',
    'beginScore',
  ]);
});
