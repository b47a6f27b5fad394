/** The live display: redrawn by screen rows on a terminal, changed lines only on a pipe. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressHeader, ProgressView, renderProgress } from '../../client/watch';
import type { Progress } from '../../schema/progress';

type SceneStatus = Progress['scenes'][number]['status'];

/** Only what the display reads; the view never looks at the rest. */
function progress(statuses: SceneStatus[], lastError: string | null = null): Progress {
  return {
    generationId: 'g',
    status: 'generating',
    waitingFor: null,
    waitingOn: [],
    scenes: statuses.map((status, i) => ({
      id: `s${i + 1}`,
      index: i + 1,
      status,
      attempts: 1,
      costUsd: 0,
      score: null,
      lastError,
      isGateScene: false,
      history: [],
    })),
    totals: { scenes: statuses.length, done: 0, failed: 0, skipped: 0, running: 0, percent: 0 },
    budget: { limitUsd: 3, spentUsd: 0 },
    gate: { status: 'disabled', sceneIds: [], scores: [], threshold: 0.6 },
    etaAt: null,
  } as unknown as Progress;
}

/**
 * A small terminal: auto-wrap at `columns` (with the pending wrap real terminals have), newline,
 * and the escapes log-update and the old display used (erase line, cursor up, to column 1,
 * previous line, erase to the end of the screen).
 */
class Terminal {
  readonly isTTY = true;
  readonly rows = 24;
  private screen: string[] = [''];
  private row = 0;
  private col = 0;
  constructor(readonly columns: number) {}

  write(chunk: string): boolean {
    for (let i = 0; i < chunk.length; i++) {
      const escape = chunk.startsWith('\x1b[', i) ? /^(\d*)([A-Za-z])/.exec(chunk.slice(i + 2)) : null;
      if (escape) {
        this.control(Number(escape[1] || 1), escape[2]!, escape[1] ?? '');
        i += escape[0].length + 1;
      } else if (chunk.slice(i).startsWith('\x1b[?25')) {
        i += 5; // cursor shown or hidden
      } else if (chunk[i] === '\n') {
        this.moveTo(this.row + 1, 0);
      } else {
        if (this.col === this.columns) this.moveTo(this.row + 1, 0);
        const line = (this.screen[this.row] ?? '').padEnd(this.col);
        this.screen[this.row] = line.slice(0, this.col) + chunk[i] + line.slice(this.col + 1);
        this.col++;
      }
    }
    return true;
  }
  private moveTo(row: number, col: number): void {
    this.row = Math.max(0, row);
    this.col = col;
    while (this.screen.length <= this.row) this.screen.push('');
  }
  private control(n: number, code: string, raw: string): void {
    if (code === 'A') this.moveTo(this.row - n, this.col);
    else if (code === 'F') this.moveTo(this.row - n, 0);
    else if (code === 'G') this.col = 0;
    else if (code === 'K' && raw === '2') this.screen[this.row] = '';
    else if (code === 'J')
      this.screen = [...this.screen.slice(0, this.row), (this.screen[this.row] ?? '').slice(0, this.col)];
  }
  get text(): string {
    return this.screen
      .map((line) => line.trimEnd())
      .join('\n')
      .trim();
  }
}

test('on a terminal, lines wider than it are redrawn without leaving stale copies', () => {
  const terminal = new Terminal(40);
  const view = new ProgressView(terminal as unknown as NodeJS.WriteStream);
  const longError = 'E005: the model ran out of memory while rendering frame 17 of 48';
  view.show(progress(['failed', 'running'], longError));
  view.show(progress(['failed', 'succeeded'], longError));
  view.show(progress(['succeeded', 'succeeded']));

  const alone = new Terminal(40);
  new ProgressView(alone as unknown as NodeJS.WriteStream).show(progress(['succeeded', 'succeeded']));
  assert.equal(terminal.text, alone.text);
  assert.equal((terminal.text.match(/s1/g) ?? []).length, 1);
});

test('on a pipe, each line is printed when it changes, also back to a value it had before', () => {
  let out = '';
  const view = new ProgressView({ write: (chunk: string) => (out += chunk) > '' } as unknown as NodeJS.WritableStream);
  view.show(progress(['running', 'pending']));
  view.show(progress(['running', 'pending']));
  view.show(progress(['awaiting_ops', 'pending']));
  view.show(progress(['running', 'pending']));
  const s1 = out.split('\n').filter((line) => line.startsWith('1. s1'));
  assert.deepEqual(
    s1.map((line) => line.split(/\s+/)[2]),
    ['running', 'awaiting_ops', 'running']
  );
  assert.equal(out.split('\n').filter((line) => line.startsWith('2. s2')).length, 1);
});

test('a gate scene held for a person reads "awaiting_approval", not "scoring"; scoring by CLIP stays "scoring"', () => {
  const asked = { ...progress(['scoring', 'pending']), waitingOn: [{ kind: 'approval' as const, sceneIds: ['s1'] }] };
  assert.match(renderProgress(asked)[0]!, /^ {2}1\. s1 +awaiting_approval +attempt 1/);
  assert.match(renderProgress(progress(['scoring', 'pending']))[0]!, /^ {2}1\. s1 +scoring +attempt 1/);
  const onBoard = {
    ...progress(['scoring', 'scoring']),
    waitingOn: [{ kind: 'storyboard' as const, sceneIds: ['s1', 's2'] }],
  };
  assert.match(
    renderProgress(onBoard)[1]!,
    /^ {2}2\. s2 +awaiting_approval +attempt 1/,
    'a keyframe on the storyboard waits for a person'
  );
  // s2's keyframe is being redone: the storyboard is not yet waited on, but s1 still waits on it
  const redoing = {
    ...progress(['scoring', 'running']),
    storyboard: { status: 'open' as const, sceneIds: ['s1'] },
  };
  assert.match(renderProgress(redoing)[0]!, /^ {2}1\. s1 +awaiting_approval +attempt 1/);
  const released = { ...redoing, storyboard: { status: 'released' as const, sceneIds: ['s1'] } };
  assert.match(renderProgress(released)[0]!, /^ {2}1\. s1 +scoring +attempt 1/);
});

test('a running keyframe-pipeline scene says which paid step it is at: "keyframe", then "animating"', () => {
  const at = (step: 'keyframe' | 'animating', status: SceneStatus = 'running'): Progress => {
    const p = progress([status]);
    p.scenes[0]!.history = [{ attempt: 1, step } as Progress['scenes'][number]['history'][number]];
    return p;
  };
  assert.match(renderProgress(at('keyframe'))[0]!, /^ {2}1\. s1 +keyframe +attempt 1/);
  assert.match(renderProgress(at('animating'))[0]!, /^ {2}1\. s1 +animating +attempt 1/);
  // an attempt's step is where it is or ended: a scene being scored, or done, says so
  assert.match(renderProgress(at('keyframe', 'scoring'))[0]!, /^ {2}1\. s1 +scoring +attempt 1/);
  assert.match(renderProgress(at('animating', 'succeeded'))[0]!, /^ {2}1\. s1 +succeeded +attempt 1/);
});

test("a new attempt after a scored one shows the old score as the previous attempt's, never as its own", () => {
  type Attempt = Progress['scenes'][number]['history'][number];
  const p = progress(['running']);
  const scene = p.scenes[0]!;
  scene.attempts = 2;
  scene.score = 0.412;
  scene.history = [{ attempt: 1, score: 0.412 } as Attempt, { attempt: 2, score: null } as Attempt];
  assert.match(renderProgress(p)[0]!, /attempt 2 .* was 0\.412/);
  scene.score = 0.733;
  scene.history[1] = { attempt: 2, score: 0.733 } as Attempt;
  assert.match(renderProgress(p)[0]!, /attempt 2 .* score 0\.733/);
  // a scene the consistency check scored (not a gate scene): its check names the attempt
  scene.history[1] = { attempt: 2, score: null } as Attempt;
  const checked = {
    ...p,
    consistency: {
      threshold: 0.6,
      checks: [{ sceneId: 's1', attempt: 2, score: 0.733, byGroup: {}, verdict: 'pass', outcome: 'kept' }],
      driftedScenes: [],
    },
  } as unknown as Progress;
  assert.match(renderProgress(checked)[0]!, /attempt 2 .* score 0\.733/);
});

test('a long error is cut after a whole word, never in the middle of a prediction id', () => {
  const error = 'prediction emu-0123456789abcdef0123 failed: the model ran out of memory at frame 41 of 48';
  const [line] = renderProgress(progress(['failed'], error));
  assert.match(line!, / {2}prediction emu-0123456789abcdef0123 failed: the model ran…$/);
  assert.ok(!renderProgress(progress(['failed'], 'short error'))[0]!.includes('…'));
});

test('status opens with the generation it shows: its id, model, strategy and when it started', () => {
  const shown = {
    ...progress(['running']),
    model: 'kwaivgi/kling-v2.1',
    strategy: { mode: 'pool', concurrency: 3 },
    startedAt: '2026-12-06T16:10:14.512Z',
  };
  assert.equal(progressHeader(shown), 'generation g on kwaivgi/kling-v2.1, pool ×3, started 2026-12-06 16:10:14 UTC');
  assert.match(progressHeader({ ...shown, strategy: { mode: 'parallel', concurrency: 3 } }), /, parallel, /);
  // keyframes first: both models, each with what it makes
  assert.match(
    progressHeader({ ...shown, model: 'scenegate/image-to-video', keyframeModel: 'scenegate/ip-adapter-image' }),
    /^generation g on scenegate\/ip-adapter-image for keyframes and scenegate\/image-to-video for clips, pool ×3,/
  );
});

test("a wait for a person repeats the console's page; a wait for money does not", () => {
  const asked = {
    ...progress(['scoring']),
    status: 'awaiting_approval',
    waitingFor: 'a person to release the storyboard of scene s1 to animation: scenegate release g',
    waitingOn: [{ kind: 'storyboard', sceneIds: ['s1'] }],
    consoleUrl: 'http://127.0.0.1:8241/generations/g',
  } as Progress;
  assert.equal(renderProgress(asked).at(-1), '  or decide in the console: http://127.0.0.1:8241/generations/g');
  const money = { ...asked, waitingOn: [{ kind: 'budget', sceneIds: ['s1'] }] } as Progress;
  assert.doesNotMatch(renderProgress(money).join('\n'), /console/);
  assert.doesNotMatch(renderProgress({ ...asked, consoleUrl: null }).join('\n'), /console/);
});
