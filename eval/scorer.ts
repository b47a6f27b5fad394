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
import { buildEvalSet, EVAL_FRAME, type EvalSubject } from './real-photos';

type ScorerName = 'vision' | 'local' | 'clip stand-in';
interface Pair {
  kind: EvalSubject['kind'];
  same: boolean;
  otherPhoto: boolean;
  /** How tall the clip's own subject is in its frames, in pixels. */
  subjectPx: number;
  /** Whether `vision` found the clip's own subject in a frame (for characters: a face; for products: its reference); unset when vision did not run. */
  found: boolean | undefined;
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

/** One line of the table: a set of pairs measured with one scorer. */
function row(kind: string, set: string, scorer: string, chosen: readonly Pair[], key: ScorerName): string {
  const figures = (pairs: readonly Pair[]): string => {
    const pos = pairs.filter((p) => p.same).map((p) => p.scores[key]);
    const neg = pairs.filter((p) => !p.same).map((p) => p.scores[key]);
    const c = calibrate(pos, neg);
    return `${rocAuc(pos, neg).toFixed(3)} | ${c.threshold.toFixed(3).padStart(9)} | ${c.truePositiveRate.toFixed(2)} | ${c.falsePositiveRate.toFixed(2)}`;
  };
  const same = chosen.filter((p) => p.same);
  const found = same.filter((p) => p.found).length;
  // pairs of the clips in which the subject was found: what the scorer says when it sees someone
  const detected = chosen.filter((p) => p.found);
  const cpu = same.reduce((s, p) => s + p.cpuSec[key], 0) / Math.max(1, same.length);
  return [
    kind.padEnd(9),
    set.padEnd(28),
    scorer.padEnd(13),
    `${String(same.length).padStart(5)}`,
    (same[0]?.found === undefined
      ? 'n/a (vision)'
      : `${found}/${same.length} ${((100 * found) / Math.max(1, same.length)).toFixed(0).padStart(3)}%`
    ).padStart(12),
    figures(chosen),
    detected.some((p) => p.same) && detected.some((p) => !p.same) ? figures(detected) : 'n/a',
    cpu.toFixed(2),
  ].join(' | ');
}

await runMain(async () => {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      detector: { type: 'string', default: 'tiny' },
      // one run may take a scorer or two (`--scorers vision`), so slow contrasts can run beside it
      scorers: { type: 'string', default: 'vision,local,clip' },
      kinds: { type: 'string', default: 'character,product' },
      // the scorer's own default (the clip's width) unless given
      'frame-width': { type: 'string' },
      // the scorer's tiles are on unless --no-tiles
      'no-tiles': { type: 'boolean', default: false },
      'tiny-size': { type: 'string' },
      aggregate: { type: 'string', default: 'mean' },
      // the scorer's own sizes unless given
      'object-sizes': { type: 'string' },
      // the local features of products: akaze (the scorer's) or orb (the earlier default)
      features: { type: 'string', default: 'akaze' },
      // the measures before calibration, to calibrate RAW_THRESHOLDS on
      raw: { type: 'boolean', default: false },
      frames: { type: 'string', default: '3' },
    },
  });
  const wanted = new Set(values.scorers.split(','));
  const dir = values.dir ?? path.join(os.tmpdir(), `scenegate-eval-${EVAL_FRAME.width}x${EVAL_FRAME.height}`);
  console.log(`building the evaluation set in ${dir} ...`);
  const subjects = await buildEvalSet(dir);
  const vision = new VisionScorer({
    detector: values.detector === 'tiny' ? 'tiny' : 'ssd',
    ...(values['frame-width'] ? { frameWidth: Number(values['frame-width']) } : {}),
    tiles: !values['no-tiles'],
    raw: values.raw,
    aggregate: values.aggregate === 'max' ? 'max' : 'mean',
    ...(values['tiny-size'] ? { tinySize: Number(values['tiny-size']) } : {}),
    ...(values['object-sizes'] ? { objectSizes: values['object-sizes'].split(',').map(Number) } : {}),
    objectFeatures: values.features === 'orb' ? 'orb' : 'akaze',
    frames: Number(values.frames),
  });
  const pairs: Pair[] = [];
  for (const kind of (['character', 'product'] as const).filter((k) => values.kinds.split(',').includes(k))) {
    const ofKind = subjects.filter((s) => s.kind === kind);
    for (const [i, subject] of ofKind.entries()) {
      // the next subject from another photo: two people of one group photo may stand in each other's crops
      const other = [...ofKind.slice(i + 1), ...ofKind.slice(0, i)].find((s) => s.group !== subject.group)!;
      const refs = [subject, other];
      for (const clip of subject.clips) {
        const references = refs.map((s) => ({ key: s.id, path: s.referencePath, kind }));
        // the references' descriptors once, outside the timing: the scorer keeps them for every later clip
        const none = {
          perReference: [
            { score: Number.NaN, framesWithSubject: 0 },
            { score: Number.NaN, framesWithSubject: 0 },
          ],
          cpuSec: Number.NaN,
        };
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
            subjectPx: clip.subjectPx,
            found: wanted.has('vision') ? v.perReference[0]!.framesWithSubject > 0 : undefined,
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
  console.log(
    `\nscenegate scorer evaluation, ${date}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}, clips ${EVAL_FRAME.width}x${EVAL_FRAME.height}, frames decoded ${values['frame-width'] ?? "at the clip's"} px wide, detector ${values.detector}${values['no-tiles'] ? ' without tiles' : ' with tiles'}, up to ${values.frames} frames, object references at ${values['object-sizes'] ?? "the scorer's"} px, ${values.features === 'orb' ? 'ORB' : 'AKAZE'} features, ${values.raw ? 'raw measures' : 'calibrated scores'}, ${values.aggregate} over frames`
  );
  console.log(
    `subjects: ${subjects.filter((s) => s.kind === 'character').length} people, ${subjects.filter((s) => s.kind === 'product').length} objects; pairs: ${pairs.length}`
  );
  console.log(
    'found: clips in which vision found the subject; "all pairs" counts a clip where it found none as score 0; "found only" keeps the pairs of clips where it found the subject'
  );
  console.log(
    'kind      | set                          | scorer        | clips |        found | all pairs: AUC | threshold | TPR  | FPR  | found only: AUC | threshold | TPR  | FPR  | CPU s/clip'
  );
  const sets: { name: string; kind: Pair['kind']; select: (p: Pair) => boolean }[] = [
    { name: 'faces, all', kind: 'character', select: () => true },
    { name: 'faces >= 64 px', kind: 'character', select: (p) => p.subjectPx >= 64 },
    { name: 'faces < 64 px', kind: 'character', select: (p) => p.subjectPx < 64 },
    { name: 'objects, all', kind: 'product', select: () => true },
    { name: 'objects, transformed photo', kind: 'product', select: (p) => !p.same || !p.otherPhoto },
    { name: 'objects, second photograph', kind: 'product', select: (p) => !p.same || p.otherPhoto },
  ];
  for (const set of sets) {
    const chosen = pairs.filter((p) => p.kind === set.kind && set.select(p));
    if (chosen.length === 0) continue;
    const names = { vision: 'vision', local: 'local', 'clip stand-in': 'clip' } as const;
    for (const scorer of (['vision', 'local', 'clip stand-in'] as const).filter((n) => wanted.has(names[n]))) {
      console.log(row(set.kind, set.name, scorer, chosen, scorer));
    }
  }
  for (const kind of ['character', 'product'] as const) {
    const px = pairs
      .filter((p) => p.same && p.kind === kind)
      .map((p) => p.subjectPx)
      .sort((a, b) => a - b);
    if (px.length)
      console.log(`${kind} heights in the clips: ${px[0]}-${px[px.length - 1]} px, median ${px[px.length >> 1]}`);
  }
});
