import type { GenerationListing } from './generation-client';

const header = ['ID', 'STATUS', 'SCENES', 'COST', 'STARTED'];
/** Numbers line up on their last digit. */
const rightAligned = new Set(['SCENES', 'COST']);

/** `scenegate list`'s lines: a header, then a row per generation, each column as wide as its widest cell. */
export function listTable(rows: readonly GenerationListing[]): string[] {
  const cells = [
    header,
    ...rows.map((r) => [
      r.id,
      r.status,
      `${r.done}/${r.total}`,
      `$${r.costUsd.toFixed(2)}`,
      r.startTime.toISOString().replace(/\.\d+Z$/, 'Z'),
    ]),
  ];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) =>
    row
      .map((cell, c) => (rightAligned.has(header[c]!) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd()
  );
}
