import { createLogUpdate } from 'log-update';
import type { ConsistencyCheck, Progress } from '../schema/progress';
import { modelsText, strategyText } from './generation-client';
import { sceneStatusOf } from './scene-status';
import { unseenIn } from './unseen';
import { unseenOf } from '../workflows/rules/consistency-checks';

/** Dollars for people: two decimals, and never a crash on a value a newer worker sends. */
const usd = (v: number): string => (Number.isFinite(v) ? `$${v.toFixed(2)}` : `$${String(v)}`);
const pad = (text: string, width: number): string =>
  text.length >= width ? text.slice(0, width) : text + ' '.repeat(width - text.length);

/** At most `max` characters, cut after a whole word (an id is never cut in two), `…` where cut. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const space = text.lastIndexOf(' ', max - 1);
  return `${text.slice(0, space > 0 ? space : max - 1)}…`;
}

/** `about 42s left`, counted down from the generation's expected finish to `now`. */
export function timeLeft(etaAt: string | null, now = Date.now()): string {
  if (!etaAt) return '';
  const seconds = Math.round((Date.parse(etaAt) - now) / 1000);
  if (seconds <= 0) return ' · finishing';
  return seconds < 120 ? ` · about ${seconds}s left` : ` · about ${Math.round(seconds / 60)} min left`;
}

/** `3/5 done, 1 skipped (60%)`: the percent counts scenes with a clip, as the counts do. */
function doneLine(totals: Progress['totals']): string {
  const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
  const failed = totals.failed ? `, ${totals.failed} failed` : '';
  return `${totals.done}/${totals.scenes} done${skipped}${failed} (${totals.percent}%)`;
}

/** What a drift led to, for people. */
const driftOutcome: Record<ConsistencyCheck['outcome'], string> = {
  kept: 'kept',
  regenerated: 'being made again',
  awaiting: 'waiting for a person (approve-scene / reject-scene)',
  approved: 'kept by a person',
  rejected: 'rejected, being made again',
  flagged: 'flagged, kept',
};

/** ` drift (mara 0.445 < 0.6): flagged, kept` for a scene whose latest check drifted; ` checked` when it passed. */
function checkNote(sceneId: string, consistency: Progress['consistency']): string {
  const latest = consistency?.checks.findLast((c) => c.sceneId === sceneId);
  if (!latest || !consistency) return '';
  if (latest.verdict === 'pass') return ' checked';
  const unseen = unseenOf(latest.frames);
  const low = Object.entries(latest.byGroup)
    .filter(([, score]) => score < consistency.threshold)
    .map(([group, score]) => (unseen.includes(group) ? `${group} not seen` : `${group} ${score.toFixed(3)}`));
  const below = low.some((l) => !l.endsWith(' not seen')) ? ` < ${consistency.threshold}` : '';
  return ` drift (${low.join(', ')}${below}): ${driftOutcome[latest.outcome]}`;
}

/**
 * `score 0.712` when the scene's latest attempt was scored; `was 0.681` while a new attempt is
 * made after a scored one, so the old score never reads as the new attempt's. `unseen`: the
 * groups the scorer found in no frame of the attempt scored, whose 0 is no likeness at all.
 */
function scoreNote(scene: Progress['scenes'][number], progress: Progress): { text: string; unseen: string } {
  if (scene.score === null) return { text: '', unseen: '' };
  const latest = scene.history.at(-1);
  const scored =
    !latest ||
    latest.score !== null ||
    progress.consistency?.checks.some((c) => c.sceneId === scene.id && c.attempt === latest.attempt);
  const scoredAttempt = scored ? latest : scene.history.at(-2);
  const unseen = scoredAttempt ? unseenIn(progress, scene.id, scoredAttempt.attempt) : [];
  return {
    text: `${scored ? 'score' : 'was'} ${scene.score.toFixed(3)}`,
    unseen: unseen.length ? ` (${unseen.join(', ')} not seen)` : '',
  };
}

/** `generation launch-7 on kling-v2.1, pool ×3, started 2026-12-06 16:10:10 UTC`: what a status reader is looking at. */
export function progressHeader(progress: Progress): string {
  const started = progress.startedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  return `generation ${progress.generationId} on ${modelsText(progress)}, ${strategyText(progress.strategy)}, started ${started}`;
}

/** Waits a person answers, where the console's page is the easier way. */
const personWaits = new Set<Progress['waitingOn'][number]['kind']>(['approval', 'drift', 'storyboard']);

/** One line per scene (status, attempt, cost, score, drift) and a totals line with percent and time left. */
export function renderProgress(progress: Progress, now = Date.now()): string[] {
  const idWidth = Math.max(5, ...progress.scenes.map((s) => s.id.length + 4));
  const lines = progress.scenes.map((s) => {
    const score = scoreNote(s, progress);
    const error = s.lastError && s.status !== 'succeeded' ? `  ${shorten(s.lastError, 60)}` : '';
    return `  ${pad(`${s.index}. ${s.id}`, idWidth)} ${pad(sceneStatusOf(s, progress), 17)} attempt ${s.attempts}  ${pad(usd(s.costUsd), 8)} ${pad(score.text, 12)}${s.isGateScene ? ' gate' : ''}${score.unseen}${checkNote(s.id, progress.consistency)}${error}`;
  });
  const { totals, budget } = progress;
  lines.push(
    `  ${progress.status} · ${doneLine(totals)} · ${usd(budget.spentUsd)} spent of ${usd(budget.limitUsd)}${timeLeft(progress.etaAt, now)}`
  );
  const drifted = progress.consistency?.driftedScenes ?? [];
  if (drifted.length) lines.push(`  drifted from the references: ${drifted.join(', ')}`);
  if (progress.waitingFor) lines.push(`  waiting for ${progress.waitingFor}`);
  // the console's page was printed at the start, many lines up by the time a person is asked
  if (progress.consoleUrl && progress.waitingOn.some((w) => personWaits.has(w.kind)))
    lines.push(`  or decide in the console: ${progress.consoleUrl}`);
  return lines;
}

/**
 * Shows progress as it changes: redrawn in place on a terminal, appended as plain lines
 * (only those that changed since the last view) when the output is a file or a pipe.
 */
export class ProgressView {
  private previous: readonly string[] = [];
  private readonly redraw?: ReturnType<typeof createLogUpdate>;

  constructor(private readonly out: NodeJS.WriteStream | NodeJS.WritableStream = process.stdout) {
    // log-update erases by screen rows, so a line wider than the terminal leaves no stale copy
    if ((out as NodeJS.WriteStream).isTTY === true) this.redraw = createLogUpdate(out, { showCursor: true });
  }

  show(progress: Progress): void {
    const lines = renderProgress(progress);
    if (this.redraw) {
      this.redraw(lines.join('\n'));
    } else {
      // a log reader wants each change once, not the whole table again; a line back to an earlier value is a change too
      for (const [i, line] of lines.entries()) if (line !== this.previous[i]) this.out.write(`${line.trim()}\n`);
    }
    this.previous = lines;
  }
}
