/** The console's storyboard strip and the consistency grid's frames, drawn from progress fixtures. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generationSections, type PageLinks, type PlanFacts } from '../../client/console/pages';
import { storyboardSection } from '../../client/console/storyboard';
import { loadCatalogue } from '../../common/catalogue-file';
import type { Plan } from '../../schema/plan';
import { planSchema } from '../../schema/plan';
import type { AttemptProgress, ConsistencyCheck, Progress, SceneProgress } from '../../schema/progress';

const links: PageLinks = { file: (p) => `/files/${p}`, webUi: null };

const plan: Plan = planSchema.parse({
  generationId: 'kf-1',
  pipeline: 'keyframe',
  keyframe: { storyboard: 'approve' },
  consistencyGroups: [
    { id: 'mara', kind: 'character', referenceImages: ['refs/mara-front.png', 'refs/mara-side.png'] },
    { id: 'lumen', kind: 'product', referenceImages: ['refs/lumen.png'] },
  ],
  scenes: [
    { id: 's1', prompt: 'Mara opens the door', entities: ['mara'] },
    { id: 's2', prompt: 'Mara holds the Lumen bottle', entities: ['mara', 'lumen'] },
    { id: 's3', prompt: 'the Lumen bottle on a shelf', entities: ['lumen'] },
  ],
});

const attempt = (n: number, over: Partial<AttemptProgress> = {}): AttemptProgress => ({
  attempt: n,
  strength: 0.7,
  seed: n,
  status: 'succeeded',
  predictionId: null,
  costUsd: 0.03,
  clipPath: null,
  score: null,
  note: null,
  startedAt: '2026-12-06T01:00:00.000Z',
  endedAt: null,
  ...over,
});

const scene = (id: string, index: number, over: Partial<SceneProgress>): SceneProgress => ({
  id,
  index,
  status: 'scoring',
  attempts: 1,
  costUsd: 0.03,
  strength: 0.7,
  score: null,
  clipPath: null,
  predictionId: null,
  lastError: null,
  isGateScene: id === 's1',
  history: [],
  ...over,
});

function progress(over: Partial<Progress>): Progress {
  return {
    generationId: 'kf-1',
    status: 'awaiting_approval',
    waitingFor: 'a person to release the storyboard',
    waitingOn: [],
    model: 'scenegate/image-to-video',
    strategy: { mode: 'parallel', concurrency: 3 },
    seed: 1,
    scenes: [],
    totals: { scenes: 3, done: 0, failed: 0, skipped: 0, running: 3, percent: 0 },
    budget: { limitUsd: 5, spentUsd: 0.09, reservedUsd: 1 },
    gate: { status: 'passed', sceneIds: ['s1'], scores: [], threshold: 0.6 },
    consistency: null,
    storyboard: null,
    references: [
      { groupId: 'mara', kind: 'character', path: 'kf-1/refs/0-mara-front.png' },
      { groupId: 'mara', kind: 'character', path: 'kf-1/refs/1-mara-side.png' },
      { groupId: 'lumen', kind: 'product', path: 'kf-1/refs/2-lumen.png' },
    ],
    consoleUrl: null,
    startedAt: '2026-12-06T01:00:00.000Z',
    updatedAt: '2026-12-06T01:00:05.000Z',
    etaAt: null,
    ...over,
  };
}

const facts: PlanFacts = { plan, model: undefined };
const draw = (p: Progress, key: string): string => String(generationSections(p, links, facts)[key]);

/** The first element that opens with `opening` (a start tag's beginning), through its closing `tag`, unnested. */
function element(html: string, opening: string, tag: string): string {
  const start = html.indexOf(opening);
  assert.ok(start >= 0, `no ${opening} in ${html}`);
  return html.slice(start, html.indexOf(`</${tag}>`, start) + tag.length + 3);
}

/** The value of `attribute` on the first tag that opens with `opening`. */
function attr(html: string, opening: string, attribute: string): string | undefined {
  const start = html.indexOf(opening);
  if (start < 0) return undefined;
  const tag = html.slice(start, html.indexOf('>', start));
  return new RegExp(`\\s${attribute}="([^"]*)"`).exec(tag)?.[1];
}

const text = (html: string): string =>
  html
    .replace(/<[^>]*>/g, '')
    .replace(/&amp;/g, '&')
    .trim();

/** s1 and s3 on the board; s2's keyframe is being made again (attempt 2, after a redo). */
const boardOpen = progress({
  scenes: [
    scene('s1', 1, { history: [attempt(1, { keyframePath: 'kf-1/s1/kf-1.png', step: 'keyframe' })] }),
    scene('s2', 2, {
      status: 'running',
      attempts: 2,
      history: [
        attempt(1, { status: 'missed', keyframePath: 'kf-1/s2/kf-1.png', step: 'keyframe', note: 'redone' }),
        attempt(2, { status: 'running', step: 'keyframe' }),
      ],
    }),
    scene('s3', 3, { history: [attempt(1, { keyframePath: 'kf-1/s3/kf-1.png', step: 'keyframe' })] }),
  ],
  gate: {
    status: 'passed',
    sceneIds: ['s1'],
    scores: [{ sceneId: 's1', attempt: 1, strength: 0.7, score: 0.81 }],
    threshold: 0.6,
  },
  consistency: {
    threshold: 0.55,
    onDrift: 'regenerate',
    sceneIds: ['s2', 's3'],
    checks: [
      {
        sceneId: 's3',
        attempt: 1,
        score: 0.72,
        byGroup: { lumen: 0.72 },
        of: 'keyframe',
        verdict: 'pass',
        outcome: 'kept',
      },
    ],
    driftedScenes: [],
  },
  storyboard: { status: 'open', sceneIds: ['s1', 's3'] },
});

test('the storyboard strip: each scene in plan order with its latest keyframe, references, score and prompt', () => {
  const strip = draw(boardOpen, 'storyboard');
  assert.deepEqual(
    [...strip.matchAll(/<li class="frame [a-z_]+" data-scene="(\w+)">/g)].map((m) => m[1]),
    ['s1', 's2', 's3']
  );
  const card = (id: string) => element(strip, `data-scene="${id}"`, 'li');
  const [s1, s2, s3] = [card('s1'), card('s2'), card('s3')];
  assert.equal(attr(s1, '<img class="keyframe"', 'src'), '/files/kf-1/s1/kf-1.png');
  // s2's new keyframe is not there yet: its last one stays in view
  assert.equal(attr(s2, '<img class="keyframe"', 'src'), '/files/kf-1/s2/kf-1.png');
  assert.equal(text(element(s2, '<span class="step"', 'span')), 'keyframe');
  assert.deepEqual(
    [...element(s2, '<div class="refs"', 'div').matchAll(/src="([^"]+)"/g)].map((m) => m[1]),
    ['/files/kf-1/refs/0-mara-front.png', '/files/kf-1/refs/1-mara-side.png', '/files/kf-1/refs/2-lumen.png']
  );
  assert.deepEqual(
    [...element(s3, '<div class="refs"', 'div').matchAll(/src="([^"]+)"/g)].map((m) => m[1]),
    ['/files/kf-1/refs/2-lumen.png'],
    'only the groups the scene shows'
  );
  assert.equal(text(element(s1, '<span class="score', 'span')), 'gate 0.810 ≥ 0.6');
  assert.equal(text(element(s3, '<span class="score', 'span')), 'check 0.720 ≥ 0.55');
  assert.equal(text(element(s3, '<p class="prompt"', 'p')), 'the Lumen bottle on a shelf');
  // Redo on each keyframe on the board, with a required reason; none on s2, which is not on it
  assert.match(
    s1,
    /<form class="action danger redo" method="post" action="\/generations\/kf-1\/scenes\/s1\/redo-keyframe" id="redo-s1"><input name="reason" placeholder="what is wrong" required \/>/
  );
  assert.doesNotMatch(s2, /<form/);
  assert.match(s3, /id="redo-s3"/);
  // one Release, disabled while s2's keyframe is still coming, saying why
  const release = element(strip, '<form class="action release-storyboard"', 'form');
  assert.match(release, /<button type="submit" disabled title="[^"]+">Release the storyboard<\/button>/);
  assert.equal(
    text(element(release, '<span class="why-not"', 'span')),
    'keyframes are still being made for s2; the storyboard can be released once they are on it'
  );
  assert.match(text(element(strip, '<h2', 'h2')), /open · 2 of 3 keyframes on it/);
});

/** Every keyframe on the board, s2's redone one last. */
const allOn = progress({
  ...boardOpen,
  scenes: boardOpen.scenes.map((s) =>
    s.id === 's2'
      ? {
          ...s,
          status: 'scoring',
          history: [s.history[0]!, attempt(2, { keyframePath: 'kf-1/s2/kf-2.png', step: 'keyframe' })],
        }
      : s
  ),
  waitingOn: [{ kind: 'storyboard', sceneIds: ['s1', 's3', 's2'] }],
  storyboard: { status: 'open', sceneIds: ['s1', 's3', 's2'] },
});

test('the release is offered once every keyframe is on the board; after it the strip is the record, with clips', () => {
  const open = draw(allOn, 'storyboard');
  assert.match(open, /<button type="submit">Release the storyboard<\/button><output/);
  assert.doesNotMatch(open, /why-not/);
  assert.equal(attr(element(open, 'data-scene="s2"', 'li'), '<img class="keyframe"', 'src'), '/files/kf-1/s2/kf-2.png');
  assert.equal(open.match(/<form class="action danger redo"/g)?.length, 3);

  const released = progress({
    ...allOn,
    status: 'succeeded',
    waitingOn: [],
    scenes: allOn.scenes.map((s) => ({ ...s, status: 'succeeded', clipPath: `kf-1/${s.id}.mp4` })),
    storyboard: { status: 'released', sceneIds: [], note: 'looks right' },
  });
  const record = draw(released, 'storyboard');
  assert.match(text(element(record, '<h2', 'h2')), /released: looks right/);
  assert.doesNotMatch(record, /<form/);
  const s2 = element(record, 'data-scene="s2"', 'li');
  assert.equal(attr(s2, '<video', 'src'), '/files/kf-1/s2.mp4');
  assert.equal(attr(s2, '<video', 'poster'), '/files/kf-1/s2/kf-2.png', 'the clip starts from its keyframe');
});

test('no storyboard section without one; a keyframe-pipeline gate scene without a clip shows its keyframe', () => {
  const gateWaits = progress({
    gate: { status: 'awaiting_approval', sceneIds: ['s1'], scores: [], threshold: 0.6 },
    waitingOn: [{ kind: 'approval', sceneIds: ['s1'] }],
    scenes: [scene('s1', 1, { history: [attempt(1, { keyframePath: 'kf-1/s1/kf-1.png', step: 'keyframe' })] })],
  });
  assert.equal(draw(gateWaits, 'storyboard'), '');
  const card = element(draw(gateWaits, 'gate'), '<figure class="attempt', 'figure');
  assert.equal(attr(card, '<img class="keyframe"', 'src'), '/files/kf-1/s1/kf-1.png');
  assert.doesNotMatch(card, /<video/);
  assert.match(draw(gateWaits, 'gate'), /Approving keeps this keyframe; no other scene waits for the gate\./);
  assert.equal(attr(draw(gateWaits, 'scene-s1'), '<img class="keyframe"', 'src'), '/files/kf-1/s1/kf-1.png');

  // once the gate passed and the keyframe waits on the storyboard, its attempt is not "running"
  const onBoard = progress({
    gate: { status: 'passed', sceneIds: ['s1'], scores: [], threshold: 0.6 },
    storyboard: { status: 'open', sceneIds: ['s1'] },
    scenes: [
      scene('s1', 1, {
        history: [attempt(1, { status: 'running', keyframePath: 'kf-1/s1/kf-1.png', step: 'keyframe' })],
      }),
    ],
  });
  const waiting = element(draw(onBoard, 'gate'), '<figure class="attempt', 'figure');
  assert.match(waiting, /attempt 1 · strength 0\.7 · keyframe on the storyboard</);
  const animating = { ...onBoard, storyboard: { status: 'released' as const, sceneIds: ['s1'] } };
  assert.match(element(draw(animating, 'gate'), '<figure class="attempt', 'figure'), /strength 0\.7 · running</);
});

/** Scenes with a clip each, checked by the vision scorer. */
function checked(checks: ConsistencyCheck[]): Progress {
  return progress({
    status: 'generating',
    scenes: ['s1', 's2', 's3'].map((id, i) =>
      scene(id, i + 1, {
        status: 'succeeded',
        clipPath: `kf-1/${id}.mp4`,
        history: [attempt(1, { clipPath: `kf-1/${id}.mp4`, keyframePath: `kf-1/${id}/kf-1.png`, step: 'animating' })],
      })
    ),
    consistency: { threshold: 0.55, onDrift: 'flag', sceneIds: ['s2', 's3'], checks, driftedScenes: [] },
  });
}

test('grid cells: the frame a group scored lowest in, beside the reference it was compared with', () => {
  const grid = draw(
    checked([
      {
        sceneId: 's2',
        attempt: 1,
        score: 0.41,
        byGroup: { mara: 0.83, lumen: 0.41 },
        frames: {
          mara: { source: 'refs/mara-side.png', framesSampled: 8, framesWithSubject: 7, lowestFrameSec: 1.5 },
          lumen: { source: 'refs/lumen.png', framesSampled: 8, framesWithSubject: 0 },
        },
        of: 'clip',
        verdict: 'drift',
        outcome: 'flagged',
      },
      {
        sceneId: 's3',
        attempt: 1,
        score: 0.7,
        byGroup: { lumen: 0.7 },
        frames: { lumen: { source: 'refs/lumen.png', framesSampled: 1, framesWithSubject: 1, lowestFrameSec: 0 } },
        of: 'keyframe',
        verdict: 'pass',
        outcome: 'kept',
      },
    ]),
    'consistency'
  );
  const row = (id: string) => element(grid, `<tr data-scene="${id}">`, 'tr');
  const mara = element(row('s2'), '<td class="cell pass" data-group="mara">', 'td');
  assert.equal(text(element(mara, '<span class="value"', 'span')), '0.830');
  assert.match(
    mara,
    /<video class="frame" src="\/files\/kf-1\/s2\.mp4#t=1\.5" preload="metadata" muted playsinline aria-label="s2 attempt 1 at 1\.5 s, lowest for mara"><\/video>/
  );
  // the side view was the one compared: the second of mara's references
  assert.equal(attr(mara, '<img class="ref"', 'src'), '/files/kf-1/refs/1-mara-side.png');
  assert.equal(text(element(mara, '<small', 'small')), 'lowest at 1.5 s · in 7 of 8 frames');

  // seen in none of the frames: said so, not drawn as a low score
  const lumen = element(row('s2'), '<td class="cell absent" data-group="lumen">', 'td');
  assert.equal(text(element(lumen, '<span class="value"', 'span')), 'not found in any of 8 frames');
  assert.doesNotMatch(lumen, /0\.410/);
  assert.doesNotMatch(row('s2'), /class="cell miss"/);

  // a keyframe check shows the keyframe itself
  const kf = element(row('s3'), '<td class="cell pass" data-group="lumen">', 'td');
  assert.equal(attr(kf, '<img class="frame"', 'src'), '/files/kf-1/s3/kf-1.png');
  assert.doesNotMatch(kf, /<video/);
  assert.equal(
    attr(element(row('s3'), '<td class="clip">', 'td'), '<img class="keyframe"', 'src'),
    '/files/kf-1/s3/kf-1.png'
  );
});

test('grid cells without frames (local or CLIP scorers) stay a bare score', () => {
  const grid = draw(
    checked([{ sceneId: 's2', attempt: 1, score: 0.4, byGroup: { mara: 0.4 }, verdict: 'drift', outcome: 'flagged' }]),
    'consistency'
  );
  assert.match(grid, /<td class="cell miss" data-group="mara">0\.400<\/td>/);
});

test("each card shows the score of the attempt whose keyframe it shows, the gate's or the check's", () => {
  const redone = progress({
    ...boardOpen,
    scenes: [
      // the gate scene's keyframe was redone from the board: attempt 2 is shown, not yet judged
      scene('s1', 1, {
        attempts: 2,
        history: [
          attempt(1, { status: 'missed', keyframePath: 'kf-1/s1/kf-1.png', step: 'keyframe', note: 'redone' }),
          attempt(2, { keyframePath: 'kf-1/s1/kf-2.png', step: 'keyframe' }),
        ],
      }),
      // a drifted keyframe made again and checked: the new attempt's score, not the drift's
      scene('s2', 2, {
        attempts: 2,
        history: [
          attempt(1, { status: 'missed', keyframePath: 'kf-1/s2/kf-1.png', step: 'keyframe' }),
          attempt(2, { keyframePath: 'kf-1/s2/kf-2.png', step: 'keyframe' }),
        ],
      }),
      // redone, its new keyframe made but not checked yet
      scene('s3', 3, {
        attempts: 2,
        history: [
          attempt(1, { status: 'missed', keyframePath: 'kf-1/s3/kf-1.png', step: 'keyframe', note: 'redone' }),
          attempt(2, { keyframePath: 'kf-1/s3/kf-2.png', step: 'keyframe' }),
        ],
      }),
    ],
    gate: {
      status: 'passed',
      sceneIds: ['s1'],
      scores: [{ sceneId: 's1', attempt: 1, strength: 0.7, score: 0.81 }],
      threshold: 0.6,
    },
    consistency: {
      threshold: 0.55,
      onDrift: 'regenerate',
      sceneIds: ['s2', 's3'],
      checks: [
        {
          sceneId: 's2',
          attempt: 1,
          score: 0.41,
          byGroup: {},
          of: 'keyframe',
          verdict: 'drift',
          outcome: 'regenerated',
        },
        { sceneId: 's3', attempt: 1, score: 0.72, byGroup: {}, of: 'keyframe', verdict: 'pass', outcome: 'kept' },
        { sceneId: 's2', attempt: 2, score: 0.66, byGroup: {}, of: 'keyframe', verdict: 'pass', outcome: 'kept' },
      ],
      driftedScenes: [],
    },
    storyboard: { status: 'open', sceneIds: ['s2'] },
  });
  const strip = draw(redone, 'storyboard');
  const score = (id: string) => element(element(strip, `data-scene="${id}"`, 'li'), '<span class="score', 'span');
  assert.equal(text(score('s1')), 'not scored yet', "attempt 1's gate score is not the new keyframe's");
  assert.equal(text(score('s2')), 'check 0.660 ≥ 0.55');
  assert.equal(attr(score('s2'), '<span', 'title'), "attempt 2's keyframe, checked against its references");
  assert.equal(text(score('s3')), 'not scored yet');

  // a gate scene whose first keyframe missed: its second is shown with the gate's second score
  const judged = progress({
    scenes: [redone.scenes[0]!],
    gate: {
      status: 'passed',
      sceneIds: ['s1'],
      scores: [
        { sceneId: 's1', attempt: 1, strength: 0.7, score: 0.41 },
        { sceneId: 's1', attempt: 2, strength: 0.8, score: 0.681 },
      ],
      threshold: 0.6,
    },
    storyboard: { status: 'open', sceneIds: ['s1'] },
  });
  const gate = element(draw(judged, 'storyboard'), '<span class="score', 'span');
  assert.equal(text(gate), 'gate 0.681 ≥ 0.6');
  assert.equal(attr(gate, '<span', 'title'), "attempt 2's keyframe, judged by the gate");
});

test('beside the release: the clips it animates and their estimate, the money reserved with their keyframes', () => {
  const catalogue = loadCatalogue();
  const model = catalogue.models.find((m) => m.id === allOn.model)!;
  const cost = (p: Progress, on: Plan | null, prices = {}) =>
    text(element(String(storyboardSection(p, links, on, prices)), '<p class="release"', 'p'));
  // three 5 s clips at $0.05 a second: what the workflow reserved before each keyframe, less the keyframe's part
  assert.equal(
    cost(allOn, plan, { model }),
    'Releasing animates s1, s3, s2: 3 clips, estimated at most $0.75, reserved when their keyframes started.'
  );
  // the board so far, while a keyframe is still coming (the release says why it waits)
  assert.match(cost(boardOpen, plan, { model }), /^Releasing animates s1, s3: 2 clips, estimated at most \$0\.50,/);

  // clips the plan's consistency check scores with CLIP: one paid score each, one try
  const checked = planSchema.parse({ ...plan, gate: { scorer: 'clip' }, consistency: { scenes: ['s2', 's3'] } });
  assert.match(
    cost(allOn, checked, { model, scorers: catalogue.scorers }),
    /reserved when their keyframes started\. Their CLIP checks add at most \$0\.01\.$/
  );

  // no price without the model's entry or the plan's durations: the clips, without a number
  const unpriced = 'Releasing animates s1, s3, s2: 3 clips, on money reserved when their keyframes started.';
  assert.equal(cost(allOn, plan), unpriced);
  assert.equal(cost(allOn, null, { model }), unpriced);
  assert.equal(text(element(draw(allOn, 'storyboard'), '<p class="release"', 'p')), unpriced);
  // the page hands the section the model it knows, so the live page shows the number too
  const page = String(generationSections(allOn, links, { plan, model }).storyboard);
  assert.match(text(element(page, '<p class="release"', 'p')), /estimated at most \$0\.75/);

  // nothing to pay for on an empty board, nor once released
  assert.doesNotMatch(
    String(storyboardSection({ ...allOn, storyboard: { status: 'open', sceneIds: [] } }, links, plan, { model })),
    /class="release"/
  );
  const released = progress({ ...allOn, storyboard: { status: 'released', sceneIds: [] } });
  assert.doesNotMatch(String(storyboardSection(released, links, plan, { model })), /class="release"/);
});

test("a keyframe and its references open full size in a new tab; a clip does not, nor a keyframe the console can't serve", () => {
  const strip = draw(allOn, 'storyboard');
  const s2 = element(strip, 'data-scene="s2"', 'li');
  assert.match(
    s2,
    /<a class="full-size" href="\/files\/kf-1\/s2\/kf-2\.png" target="_blank" rel="noopener"><img class="keyframe" src="\/files\/kf-1\/s2\/kf-2\.png"/
  );
  assert.deepEqual(
    [
      ...element(s2, '<div class="refs"', 'div').matchAll(
        /<a class="full-size" href="([^"]+)"[^>]*><img src="([^"]+)"/g
      ),
    ].map((m) => [m[1], m[2]]),
    [
      ['/files/kf-1/refs/0-mara-front.png', '/files/kf-1/refs/0-mara-front.png'],
      ['/files/kf-1/refs/1-mara-side.png', '/files/kf-1/refs/1-mara-side.png'],
      ['/files/kf-1/refs/2-lumen.png', '/files/kf-1/refs/2-lumen.png'],
    ]
  );

  const animated = progress({ ...allOn, scenes: allOn.scenes.map((s) => ({ ...s, clipPath: `kf-1/${s.id}.mp4` })) });
  assert.doesNotMatch(
    element(draw(animated, 'storyboard'), 'data-scene="s2"', 'li'),
    /<a class="full-size" href="[^"]+\.mp4"|<a[^>]*><video/
  );

  const elsewhere: PageLinks = { file: (p) => (p.includes('/refs/') ? `/files/${p}` : null), webUi: null };
  const onWorker = element(String(storyboardSection(allOn, elsewhere, plan)), 'data-scene="s2"', 'li');
  assert.match(onWorker, /<div class="noclip">keyframe on the worker: <code>kf-1\/s2\/kf-2\.png<\/code><\/div>/);
  assert.doesNotMatch(onWorker, /<a class="full-size" href="[^"]*kf-2/);
});
