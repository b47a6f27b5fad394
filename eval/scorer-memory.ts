/**
 * `npx tsx eval/scorer-memory.ts`: the `vision` scorer process's memory, as a worker starts it
 * (scorer-client.ts, with the worker's NODE_OPTIONS and MALLOC_ARENA_MAX), once per kind of
 * reference: resident memory (VmRSS) and its peak (VmHWM) after scoring one clip of the
 * evaluation set, and again after it idled a few seconds with its models loaded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runMain } from '../common/run-main';
import { VisionScorerClient } from '../media/vision/scorer-client';
import { buildEvalSet, EVAL_FRAME } from './real-photos';

function memoryMb(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

await runMain(async () => {
  // the worker's own memory options (docs/operators.md), which the scorer process inherits
  process.env.NODE_OPTIONS ??= '--max-semi-space-size=1';
  process.env.MALLOC_ARENA_MAX ??= '2';
  const dir = path.join(os.tmpdir(), `scenegate-eval-${EVAL_FRAME.width}x${EVAL_FRAME.height}`);
  const subjects = await buildEvalSet(dir);
  const person = subjects.find((s) => s.kind === 'character')!;
  const product = subjects.find((s) => s.kind === 'product')!;
  const cases = [
    { name: 'faces (a character)', refs: [person] },
    { name: 'objects (a product)', refs: [product] },
    { name: 'both (a character and a product)', refs: [person, product] },
  ];
  console.log(`scorer process memory, ${new Date().toISOString()}, load ${os.loadavg()[0]!.toFixed(1)}`);
  console.log('references                       | processes       | RSS after a score | peak | RSS idle 5 s later');
  for (const c of cases) {
    const client = new VisionScorerClient();
    const clip = c.refs[0]!.clips[0]!.path;
    await client.score({
      clipPath: clip,
      references: c.refs.map((s) => ({ key: s.id, path: s.referencePath, kind: s.kind })),
    });
    const lanes = (['faces', 'objects'] as const).filter((lane) => client.pid(lane) !== undefined);
    const sum = (f: (m: { rss: number; peak: number }) => number): number =>
      lanes.reduce((total, lane) => total + f(memoryMb(client.pid(lane)!)), 0);
    const after = sum((m) => m.rss);
    await sleep(5000);
    const [idle, peak] = [sum((m) => m.rss), sum((m) => m.peak)];
    console.log(
      `${c.name.padEnd(32)} | ${lanes.join(' + ').padEnd(15)} | ${String(after).padStart(14)} MB | ${peak} MB | ${idle} MB`
    );
    client.close();
  }
});
