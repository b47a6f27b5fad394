/** What the console's gate page says approving releases: the held-back scenes and their estimate. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gateRelease } from '../../client/console/gate-release';
import { generationSections } from '../../client/console/pages';
import { loadCatalogue } from '../../common/catalogue-file';
import { estimateCostUsd } from '../../schema/catalogue';
import { planSchema } from '../../schema/plan';
import type { Progress, SceneProgress } from '../../schema/progress';

const catalogue = loadCatalogue();
const model = (id: string) => catalogue.models.find((m) => m.id === id)!;

const plan = planSchema.parse({
  generationId: 'ad-1',
  consistencyGroups: [
    { id: 'mara', kind: 'character', referenceImages: ['mara.png'], description: 'Mara, short dark hair' },
    { id: 'lumen', kind: 'product', referenceImages: ['lumen.png'] },
  ],
  scenes: [
    { id: 's1', prompt: 'Mara opens the door', durationSec: 3, entities: ['mara'] },
    { id: 's2', prompt: 'Mara holds the bottle', durationSec: 4, entities: ['mara', 'lumen'] },
    { id: 's3', prompt: 'the bottle on a table', durationSec: 2, entities: ['lumen'] },
    { id: 's4', prompt: 'Mara smiles', durationSec: 5, entities: ['mara'] },
  ],
  budget: { limitUsd: 2 },
});

const scene = (id: string, i: number, status: SceneProgress['status'], isGateScene: boolean): SceneProgress => ({
  id,
  index: i + 1,
  status,
  attempts: status === 'pending' ? 0 : 1,
  costUsd: 0,
  strength: 0.6,
  score: null,
  clipPath: status === 'pending' ? null : `ad-1/${id}.mp4`,
  predictionId: null,
  lastError: null,
  isGateScene,
  history: [],
});

/** s1 waits for a person at the gate; s2 (the gate scene of lumen) may still be running. */
function waiting(s2: SceneProgress['status']): Progress {
  return {
    generationId: 'ad-1',
    status: 'awaiting_approval',
    waitingFor: 'a gate decision',
    waitingOn: [{ kind: 'approval', sceneIds: ['s1'] }],
    model: 'scenegate/ip-adapter-video',
    strategy: { mode: 'pool', concurrency: 3 },
    seed: 1,
    scenes: [
      scene('s1', 0, 'scoring', true),
      scene('s2', 1, s2, true),
      scene('s3', 2, 'pending', false),
      scene('s4', 3, 'pending', false),
    ],
    totals: { scenes: 4, done: 0, failed: 0, skipped: 0, running: 1, percent: 0 },
    budget: { limitUsd: 2, spentUsd: 0.35, reservedUsd: 0.2 },
    gate: { status: 'awaiting_approval', sceneIds: ['s1', 's2'], scores: [], threshold: 0.6 },
    consistency: null,
    storyboard: null,
    references: [
      { groupId: 'mara', kind: 'character', path: 'ad-1/refs/mara.png' },
      { groupId: 'lumen', kind: 'product', path: 'ad-1/refs/lumen.png' },
    ],
    consoleUrl: null,
    startedAt: '2026-12-06T01:00:00.000Z',
    updatedAt: '2026-12-06T01:00:05.000Z',
    etaAt: null,
  };
}

test('approving releases the scenes not yet started outside the gate, priced per output second of the model', () => {
  const release = gateRelease(waiting('succeeded'), plan, model('scenegate/ip-adapter-video'));
  assert.deepEqual(release.sceneIds, ['s3', 's4']);
  // $0.05 per output second: 2 s + 5 s
  assert.ok(Math.abs(release.estimateUsd! - 0.35) < 1e-9, String(release.estimateUsd));
  assert.deepEqual(release.otherGateScenes, []);
  assert.ok(Math.abs(release.roomUsd - 1.45) < 1e-9);
});

test('a model that makes fixed-length clips is priced on what it makes, not on the scene durations', () => {
  // Veo 3.1 makes 8 s whatever is asked: two scenes are 16 s at $0.20
  const release = gateRelease(waiting('succeeded'), plan, model('google/veo-3.1'));
  assert.ok(Math.abs(release.estimateUsd! - 3.2) < 1e-9, String(release.estimateUsd));
});

test('with the CLIP scorer, each released scene the consistency check scores adds one paid score', () => {
  const clipPlan = { ...plan, gate: { ...plan.gate, scorer: 'clip' as const } };
  const checking: Progress = {
    ...waiting('succeeded'),
    consistency: { threshold: 0.6, onDrift: 'regenerate', sceneIds: ['s2', 's4'], checks: [], driftedScenes: [] },
  };
  const entry = model('scenegate/ip-adapter-video');
  const oneScore = estimateCostUsd(catalogue.scorers.clip.pricing, 0);
  assert.ok(oneScore > 0);
  // s3 and s4 are released; only s4 is checked
  const release = gateRelease(checking, clipPlan, entry, catalogue.scorers);
  assert.ok(Math.abs(release.estimateUsd! - (0.35 + oneScore)) < 1e-9, String(release.estimateUsd));
  // the free scorers add nothing
  assert.ok(Math.abs(gateRelease(checking, plan, entry, catalogue.scorers).estimateUsd! - 0.35) < 1e-9);
});

test('gate scenes still running are named: the released scenes wait for them too', () => {
  assert.deepEqual(gateRelease(waiting('running'), plan, model('scenegate/ip-adapter-video')).otherGateScenes, ['s2']);
  assert.equal(gateRelease(waiting('running'), plan, undefined).estimateUsd, null);
});

test('the gate page: prompt, descriptions and the release, with its estimate above the budget left when it is', () => {
  const links = { file: (path: string) => `/files/${path}`, webUi: null };
  const gate = String(
    generationSections(waiting('running'), links, { plan, model: model('google/veo-3.1') }).gate
  ).replace(/\s+/g, ' ');
  assert.match(gate, /<p class="prompt"><span>Prompt<\/span> Mara opens the door<\/p>/);
  assert.match(gate, /<strong>mara<\/strong> \(character\)<span class="description">Mara, short dark hair<\/span>/);
  assert.match(
    gate,
    /Approving releases s3, s4 once gate scene s2 passes: 2 scenes, estimated at most <strong class="estimate">\$3\.20<\/strong> at one attempt each \(\$1\.45 of the budget left; the run will wait for more money\)\./
  );
  const unread = String(generationSections(waiting('succeeded'), links).gate).replace(/\s+/g, ' ');
  assert.match(unread, /Approving releases s3, s4: 2 scenes \(no estimate: the run&#39;s plan could not be read\)\./);
  assert.doesNotMatch(unread, /class="prompt"/);
});
