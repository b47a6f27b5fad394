/**
 * A keyframe whose URL could expire before its clip's model fetches it is published again first
 * (a storyboard waits up to a day for a person, as long as a Files API upload lives).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../common/catalogue-file';
import { planSchema } from '../../schema/plan';
import { Generation } from '../../workflows/rules/generation';
import { RENEWAL_LEAD_MS } from '../../workflows/rules/reference-expiry';

const HOUR = 3_600_000;
const models = loadCatalogue().models;

function keyframeGeneration() {
  const plan = planSchema.parse({
    generationId: 'g',
    pipeline: 'keyframe',
    model: 'scenegate/image-to-video',
    consistencyGroups: [{ id: 'hero', kind: 'character', referenceImages: ['hero.png'], strength: 0.5 }],
    scenes: [{ id: 's1', prompt: 'p1', durationSec: 5, entities: ['hero'] }],
    gate: { enabled: false },
    timeouts: { sceneAttempt: '1h' },
  });
  const clock = { now: 0 };
  const gen = new Generation(
    plan,
    'g',
    { now: () => clock.now, changed: () => undefined, stopping: () => undefined, inFlight: () => 0 },
    { slotPerPrediction: false, recordEveryChange: true, promptReads: true }
  );
  gen.prepare({
    references: [
      { groupId: 'hero', source: 'hero.png', url: 'https://files/hero', localPath: 'g/hero.png', sha256: 'a' },
    ],
    model: models.find((m) => m.id === 'scenegate/image-to-video')!,
    keyframeModel: models.find((m) => m.id === 'scenegate/ip-adapter-image')!,
    scorer: 'local',
    scorerModel: null,
  });
  const attempts = gen.attempts;
  assert.equal(attempts.requestBudget(attempts.clipClaim('s1')), 'reserved');
  attempts.beginAttempt('s1');
  return { attempts, clock };
}

const keyframe = { path: 'g/keyframes/s1-a1.png', scorePath: 'g/keyframes/s1-a1.mp4' };

test('a keyframe whose URL outlives the attempt and the lead is animated from it as made', () => {
  const { attempts, clock } = keyframeGeneration();
  attempts.keyframe.made('s1', { ...keyframe, modelUrl: 'https://files/k1', expiresAt: 24 * HOUR });
  clock.now = 24 * HOUR - HOUR - RENEWAL_LEAD_MS - 1;
  assert.equal(attempts.keyframe.expiring('s1'), null);
  assert.match(JSON.stringify(attempts.keyframe.animate('s1').input), /https:\/\/files\/k1/);
});

test('a keyframe held past its URL life (less than the attempt and the lead left) is renewed, and its clip gets the new URL', () => {
  const { attempts, clock } = keyframeGeneration();
  attempts.keyframe.made('s1', { ...keyframe, modelUrl: 'https://files/k1', expiresAt: 24 * HOUR });
  clock.now = 24 * HOUR - HOUR - RENEWAL_LEAD_MS + 1;
  assert.equal(attempts.keyframe.expiring('s1')?.path, keyframe.path, 'what is uploaded again is the stored copy');
  attempts.keyframe.renewed('s1', { modelUrl: 'https://files/k2', expiresAt: 48 * HOUR });
  assert.equal(attempts.keyframe.expiring('s1'), null, 'renewed, it is good for another day');
  const input = JSON.stringify(attempts.keyframe.animate('s1').input);
  assert.match(input, /https:\/\/files\/k2/);
  assert.doesNotMatch(input, /https:\/\/files\/k1/);
});

test('a keyframe whose URL has no known expiry (an https location that lasts) is never renewed', () => {
  const { attempts, clock } = keyframeGeneration();
  attempts.keyframe.made('s1', { ...keyframe, modelUrl: 'https://bucket/k1' });
  clock.now = 1000 * HOUR;
  assert.equal(attempts.keyframe.expiring('s1'), null);
  // a renewal that knows no expiry drops the old one rather than keeping a stale date
  attempts.keyframe.renewed('s1', { modelUrl: 'https://bucket/k2' });
  assert.equal(attempts.keyframe.expiring('s1'), null);
});
