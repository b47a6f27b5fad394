/** Where a drift is seen: watch and status lines, the Web UI's details, the notification, the console's grid. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generationSections, waitsInConsoleTerms } from '../../client/console/pages';
import { renderProgress } from '../../client/watch';
import type { ConsistencyCheck, Progress } from '../../schema/progress';
import { NotificationRules } from '../../workflows/rules/notifications';
import { currentDetails } from '../../workflows/rules/status';

const check = (
  sceneId: string,
  byGroup: Record<string, number>,
  verdict: ConsistencyCheck['verdict'],
  outcome: ConsistencyCheck['outcome'],
  attempt = 1
): ConsistencyCheck => ({ sceneId, attempt, score: Math.min(...Object.values(byGroup)), byGroup, verdict, outcome });

/** Three scenes after the gate: s2 checked, s3 drifted and waits for a person. */
function progress(checks: ConsistencyCheck[], waiting: boolean): Progress {
  return {
    generationId: 'ad-1',
    status: waiting ? 'awaiting_approval' : 'generating',
    waitingFor: waiting ? 'a person to keep or remake scene s3 (updates approveScene, rejectScene)' : null,
    waitingOn: waiting ? [{ kind: 'drift', sceneIds: ['s3'] }] : [],
    model: 'scenegate/ip-adapter-video',
    strategy: { mode: 'parallel', concurrency: 3 },
    seed: 1,
    scenes: ['s1', 's2', 's3'].map((id, i) => ({
      id,
      index: i + 1,
      status: id === 's3' && waiting ? 'scoring' : 'succeeded',
      attempts: 1,
      costUsd: 0.1,
      strength: 0.7,
      score: null,
      clipPath: `ad-1/${id}.mp4`,
      predictionId: null,
      lastError: null,
      isGateScene: id === 's1',
      history: [],
    })),
    totals: { scenes: 3, done: 2, failed: 0, skipped: 0, running: 1, percent: 66 },
    budget: { limitUsd: 3, spentUsd: 0.3, reservedUsd: 0 },
    gate: { status: 'passed', sceneIds: ['s1'], scores: [], threshold: 0.6 },
    consistency: {
      threshold: 0.6,
      onDrift: 'await-approval',
      sceneIds: ['s1', 's2', 's3'],
      checks,
      driftedScenes: checks.filter((c) => c.outcome === 'flagged' || c.outcome === 'approved').map((c) => c.sceneId),
    },
    storyboard: null,
    references: [
      { groupId: 'mara', kind: 'character', path: 'ad-1/refs/mara.png' },
      { groupId: 'lumen', kind: 'product', path: 'ad-1/refs/lumen.png' },
    ],
    consoleUrl: 'http://console/generations/ad-1',
    startedAt: '2026-12-06T01:00:00.000Z',
    updatedAt: '2026-12-06T01:00:05.000Z',
    etaAt: null,
  };
}

const asked = [
  check('s2', { mara: 0.82 }, 'pass', 'kept'),
  check('s3', { mara: 0.445, lumen: 0.9 }, 'drift', 'awaiting'),
];

test('watch and status: each checked scene says so; a drift names its low groups and what follows', () => {
  const lines = renderProgress(progress(asked, true));
  assert.match(lines[1]!, /s2 .* checked$/);
  assert.match(
    lines[2]!,
    /s3 .* drift \(mara 0\.445 < 0\.6\): waiting for a person \(approve-scene \/ reject-scene\)$/
  );
  assert.doesNotMatch(lines[0]!, /checked|drift/, 'the gate scene was not checked again');

  const flagged = renderProgress(progress([check('s3', { mara: 0.445 }, 'drift', 'flagged')], false));
  assert.ok(flagged.includes('  drifted from the references: s3'));
});

test("the Web UI's details name a drifted scene, and the wait for its decision", () => {
  const details = currentDetails(progress(asked, true));
  assert.match(details, /a decision on drifted s3 \(update approveScene or rejectScene\)/);
  assert.match(details, /\*\*Drifted\*\* s3 \(below the consistency threshold 0\.6\)/);
  const remade = currentDetails(progress([check('s3', { mara: 0.4 }, 'drift', 'regenerated')], false));
  assert.doesNotMatch(remade, /Drifted/, 'a scene being made again is not named as drifted');
});

test('a person asked about a drift is notified once', () => {
  const rules = new NotificationRules();
  assert.equal(rules.onProgress(progress([], false)), null);
  const sent = rules.onProgress(progress(asked, true));
  assert.match(sent?.text ?? '', /waits for a decision on drifted scene s3/);
  assert.deepEqual(sent?.waitingOn, [{ kind: 'drift', sceneIds: ['s3'] }]);
  assert.equal(rules.onProgress(progress(asked, true)), null);
});

test("the console: a scene × entity grid beside the references, with Keep and Remake on the waiting scene's row", () => {
  const links = { file: (path: string) => `/files/${path}`, webUi: null };
  const grid = String(generationSections(progress(asked, true), links).consistency);
  assert.match(grid, /<img src="\/files\/ad-1\/refs\/mara\.png" alt="reference for mara"/);
  assert.match(
    grid,
    /<tr data-scene="s3">.*class="cell miss" data-group="mara">0\.445<.*class="cell pass" data-group="lumen">0\.900</s
  );
  assert.match(grid, /<tr data-scene="s2">.*class="cell pass" data-group="mara">0\.820<.*class="cell none">–</s);
  assert.match(grid, /action="\/generations\/ad-1\/scenes\/s3\/approve-scene"/);
  assert.match(grid, /action="\/generations\/ad-1\/scenes\/s3\/reject-scene"/);
  assert.doesNotMatch(grid, /scenes\/s2\/approve-scene/);
  assert.equal(
    waitsInConsoleTerms([{ kind: 'drift', sceneIds: ['s3'] }], 'page'),
    'a decision on drifted scene s3 (Keep or Remake in the consistency grid)'
  );
  const none = { ...progress([], false), consistency: null };
  assert.equal(String(generationSections(none, links).consistency), '');
});

test('a group the scorer found in no frame reads as not seen, never as a poor likeness of 0', () => {
  const links = { file: (path: string) => `/files/${path}`, webUi: null };
  const blank: ConsistencyCheck = {
    ...check('s3', { mara: 0, lumen: 0.9 }, 'drift', 'awaiting'),
    frames: {
      mara: { source: 'mara.png', framesSampled: 3, framesWithSubject: 0 },
      lumen: { source: 'lumen.png', framesSampled: 3, framesWithSubject: 3, lowestFrameSec: 1 },
    },
  };
  const p = progress([asked[0]!, blank], true);
  assert.match(renderProgress(p)[2]!, /s3 .* drift \(mara not seen\): waiting for a person/);

  // the gate scored scene 1's first attempt 0 because it found no face
  const s1 = p.scenes[0]!;
  s1.score = 0;
  s1.history = [
    {
      ...{ attempt: 1, strength: 0.7, seed: 1, status: 'missed', predictionId: 'p1', costUsd: 0.1 },
      ...{ clipPath: 'ad-1/s1-1.mp4', score: 0, note: null, startedAt: p.startedAt, endedAt: p.updatedAt },
    },
  ];
  p.gate.scores = [{ sceneId: 's1', attempt: 1, strength: 0.7, score: 0, unseen: ['mara'] }];
  assert.match(renderProgress(p)[0]!, /s1 .* score 0\.000 +gate \(mara not seen\)$/);
  const card = String(generationSections(p, links).gate).replace(/\s+/g, ' ');
  assert.match(card, /score 0\.000 &lt; 0\.6<\/span> · <span class="unseen">mara not found in any frame<\/span>/);

  // a score above 0 from frames where the face was found says nothing more
  p.gate.scores = [{ sceneId: 's1', attempt: 1, strength: 0.7, score: 0.41 }];
  s1.score = 0.41;
  assert.doesNotMatch(renderProgress(p)[0]!, /not seen/);
  assert.doesNotMatch(String(generationSections(p, links).gate), /not found/);
});

test("the grid's row of a gate scene the gate judged says so, not 'not checked yet'", () => {
  const links = { file: (path: string) => `/files/${path}`, webUi: null };
  const p = progress(asked, false);
  const row = () => {
    const grid = String(generationSections(p, links).consistency);
    return grid.slice(
      grid.indexOf('<tr data-scene="s1">'),
      grid.indexOf('</tr>', grid.indexOf('<tr data-scene="s1">'))
    );
  };
  assert.match(row(), /not checked yet/);
  p.gate.scores = [{ sceneId: 's1', attempt: 2, strength: 0.85, score: 0.681 }];
  assert.match(row(), /judged by the gate: 0\.681 ≥ 0\.6 \(attempt 2\)/);
});
