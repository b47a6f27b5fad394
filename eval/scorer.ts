/**
 * `npm run eval:scorer`: the consistency scorers measured on real photographs (eval/real-photos.ts).
 * Every clip is scored against two references of its kind, its own subject's and the next
 * subject's: one same-identity and one different-identity pair per clip, and the CPU figure is
 * that of one 5 s clip against 2 references. Prints, per kind and scorer, ROC AUC, the
 * threshold that separates best with its true and false positive rates, and CPU seconds per clip.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runMain } from '../common/run-main';
import { scoreConsistency } from '../media/consistency';
import { probeMedia } from '../media/ffmpeg';
import { encodePng, sampleFrames } from '../media/raw-image';
import { cpuSecondsWithChildren } from '../media/vision/cpu-time';
import { calibrate, rocAuc } from '../media/vision/score-maths';
import { VisionScorer } from '../media/vision/vision-scorer';
import { imageEmbedding } from '../emulator/embeddings';
import { buildEvalSet, type EvalSubject } from './real-photos';

type ScorerName = 'vision' | 'local' | 'clip stand-in';
interface Pair {
  kind: EvalSubject['kind'];
  same: boolean;
  otherPhoto: boolean;
  scores: Record<ScorerName, number>;
  cpuSec: Record<ScorerName, number>;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

/** The emulator's CLIP stand-in, as the `clip` scorer uses it: each reference against its best frame. */
async function clipStandIn(clip: string, references: string[]): Promise<number[]> {
  const { durationSec } = await probeMedia(clip);
  const frames = await Promise.all(
    (await sampleFrames(clip, durationSec, 3, 224, 224)).map(async (f) => imageEmbedding(await encodePng(f)))
  );
  const refs = await Promise.all(references.map(async (r) => imageEmbedding(await fs.readFile(r))));
  return refs.map((r) => Math.max(0, ...frames.map((f) => cosine(f, r))));
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const began = cpuSecondsWithChildren();
  const result = await work();
  return [result, cpuSecondsWithChildren() - began];
}

await runMain(async () => {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      detector: { type: 'string', default: 'ssd' },
      // one run may take a scorer or two (`--scorers vision`), so slow contrasts can run beside it
      scorers: { type: 'string', default: 'vision,local,clip' },
      kinds: { type: 'string', default: 'character,product' },
      'frame-width': { type: 'string', default: '640' },
    },
  });
  const wanted = new Set(values.scorers.split(','));
  const dir = values.dir ?? path.join(os.tmpdir(), 'scenegate-eval');
  console.log(`building the evaluation set in ${dir} ...`);
  const subjects = await buildEvalSet(dir);
  const vision = new VisionScorer({
    detector: values.detector === 'tiny' ? 'tiny' : 'ssd',
    frameWidth: Number(values['frame-width']),
  });
  const pairs: Pair[] = [];
  for (const kind of (['character', 'product'] as const).filter((k) => values.kinds.split(',').includes(k))) {
    const ofKind = subjects.filter((s) => s.kind === kind);
    for (const [i, subject] of ofKind.entries()) {
      const other = ofKind[(i + 1) % ofKind.length]!;
      const refs = [subject, other];
      for (const clip of subject.clips) {
        const references = refs.map((s) => ({ key: s.id, path: s.referencePath, kind }));
        // the references' descriptors once, outside the timing: the scorer keeps them for every later clip
        const none = { perReference: [{ score: Number.NaN }, { score: Number.NaN }], cpuSec: Number.NaN };
        let v = none;
        if (wanted.has('vision')) {
          for (const r of references) await vision.describe(r);
          v = await vision.score({ clipPath: clip.path, references });
        }
        const paths = refs.map((s) => s.referencePath);
        const [local, localCpu] = wanted.has('local')
          ? await timed(() => scoreConsistency({ clipPath: clip.path, referencePaths: paths }))
          : [none, Number.NaN];
        const [stand, standCpu] = wanted.has('clip')
          ? await timed(() => clipStandIn(clip.path, paths))
          : [[Number.NaN, Number.NaN], Number.NaN];
        for (const j of [0, 1]) {
          pairs.push({
            kind,
            same: j === 0,
            otherPhoto: clip.otherPhoto,
            scores: {
              vision: v.perReference[j]!.score,
              local: local.perReference[j]!.score,
              'clip stand-in': stand[j]!,
            },
            cpuSec: { vision: v.cpuSec, local: localCpu, 'clip stand-in': standCpu },
          });
        }
      }
    }
  }
  const date = new Date().toISOString().slice(0, 10);
  console.log(`\nscenegate scorer evaluation, ${date}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`);
  console.log(
    `subjects: ${subjects.filter((s) => s.kind === 'character').length} people, ${subjects.filter((s) => s.kind === 'product').length} objects; pairs: ${pairs.length}`
  );
  console.log('kind      | set                         | scorer        |   AUC | threshold | TPR  | FPR  | CPU s/clip');
  const sets: { name: string; kind: Pair['kind']; select: (p: Pair) => boolean }[] = [
    { name: 'faces, transformed photo', kind: 'character', select: () => true },
    { name: 'objects, all', kind: 'product', select: () => true },
    { name: 'objects, transformed photo', kind: 'product', select: (p) => !p.same || !p.otherPhoto },
    { name: 'objects, second photograph', kind: 'product', select: (p) => !p.same || p.otherPhoto },
  ];
  for (const set of sets) {
    const chosen = pairs.filter((p) => p.kind === set.kind && set.select(p));
    const names = { vision: 'vision', local: 'local', 'clip stand-in': 'clip' } as const;
    for (const scorer of (['vision', 'local', 'clip stand-in'] as const).filter((n) => wanted.has(names[n]))) {
      const pos = chosen.filter((p) => p.same).map((p) => p.scores[scorer]);
      const neg = chosen.filter((p) => !p.same).map((p) => p.scores[scorer]);
      const c = calibrate(pos, neg);
      const cpu = chosen.filter((p) => p.same).reduce((s, p) => s + p.cpuSec[scorer], 0) / Math.max(1, pos.length);
      console.log(
        `${set.kind.padEnd(9)} | ${set.name.padEnd(27)} | ${scorer.padEnd(13)} | ${rocAuc(pos, neg).toFixed(3)} | ${c.threshold.toFixed(3).padStart(9)} | ${c.truePositiveRate.toFixed(2)} | ${c.falsePositiveRate.toFixed(2)} | ${cpu.toFixed(2)}`
      );
    }
  }
});
