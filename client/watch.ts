import type { Progress } from '../schema/progress';

/** Dollars for people: two decimals, and never a crash on a value a newer worker sends. */
const usd = (v: number): string => (Number.isFinite(v) ? `$${v.toFixed(2)}` : `$${String(v)}`);
const pad = (text: string, width: number): string =>
  text.length >= width ? text.slice(0, width) : text + ' '.repeat(width - text.length);

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

/** One line per scene (status, attempt, cost, score) and a totals line with percent and time left. */
export function renderProgress(progress: Progress, now = Date.now()): string[] {
  const idWidth = Math.max(5, ...progress.scenes.map((s) => s.id.length + 4));
  const lines = progress.scenes.map((s) => {
    const score = s.score === null ? '' : `score ${s.score.toFixed(3)}`;
    const error = s.lastError && s.status !== 'succeeded' ? `  ${s.lastError.slice(0, 60)}` : '';
    return `  ${pad(`${s.index}. ${s.id}`, idWidth)} ${pad(s.status, 13)} attempt ${s.attempts}  ${pad(usd(s.costUsd), 8)} ${pad(score, 12)}${s.isGateScene ? ' gate' : ''}${error}`;
  });
  const { totals, budget } = progress;
  lines.push(
    `  ${progress.status} · ${doneLine(totals)} · ${usd(budget.spentUsd)} spent of ${usd(budget.limitUsd)}${timeLeft(progress.etaAt, now)}`
  );
  if (progress.waitingFor) lines.push(`  waiting for ${progress.waitingFor}`);
  return lines;
}

/**
 * Shows progress as it changes: redrawn in place on a terminal, appended as plain lines
 * (only when something changed) when the output is a file or a pipe.
 */
export class ProgressView {
  private drawn = 0;
  private last = '';
  private readonly printed = new Set<string>();

  constructor(private readonly out: NodeJS.WriteStream | NodeJS.WritableStream = process.stdout) {}

  private get tty(): boolean {
    return (this.out as NodeJS.WriteStream).isTTY === true;
  }

  show(progress: Progress): void {
    const lines = renderProgress(progress);
    const text = lines.join('\n');
    if (text === this.last) return;
    this.last = text;
    if (this.tty) {
      // move to the first line drawn last time and clear to the end of the screen
      if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}F\x1b[J`);
      this.out.write(`${text}\n`);
      this.drawn = lines.length;
    } else {
      // a log reader wants each change once, not the whole table again
      for (const line of lines) {
        if (this.printed.has(line)) continue;
        this.printed.add(line);
        this.out.write(`${line.trim()}\n`);
      }
    }
  }
}
