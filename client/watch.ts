import type { Progress } from '../schema/progress';

const usd = (v: number): string => `$${v.toFixed(2)}`;
const pad = (text: string, width: number): string =>
  text.length >= width ? text.slice(0, width) : text + ' '.repeat(width - text.length);

/** One line per scene (status, attempt, cost, score) and a totals line with percent and ETA. */
export function renderProgress(progress: Progress): string[] {
  const idWidth = Math.max(5, ...progress.scenes.map((s) => s.id.length + 4));
  const lines = progress.scenes.map((s) => {
    const score = s.score === null ? '' : `score ${s.score.toFixed(3)}`;
    const error = s.lastError && s.status !== 'succeeded' ? `  ${s.lastError.slice(0, 60)}` : '';
    return `  ${pad(`${s.index}. ${s.id}`, idWidth)} ${pad(s.status, 13)} attempt ${s.attempts}  ${pad(usd(s.costUsd), 8)} ${pad(score, 12)}${s.isGateScene ? ' gate' : ''}${error}`;
  });
  const { totals, budget } = progress;
  const eta = progress.etaSec === null ? '' : progress.etaSec > 0 ? ` · ETA ${progress.etaSec}s` : '';
  lines.push(
    `  ${progress.status} · ${totals.done}/${totals.scenes} done (${totals.percent}%) · ${usd(budget.spentUsd)} spent of ${usd(budget.limitUsd)}${eta}`
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
