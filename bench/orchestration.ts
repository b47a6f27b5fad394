/**
 * `npm run bench`: what scenegate's orchestration costs on top of the model's own time, beside a
 * plain non-durable Promise loop over `replicate.run` against the same emulator in the same run.
 * A real dev server; the emulator in no-render mode (a pre-made clip, so ffmpeg's rendering time
 * is left out) with a fixed model time; the production worker (`npm run build`, then
 * `node dist/worker.js`, built first) in its own process with its webhook receiver, so its memory
 * and start time are its own.
 *
 *   npm run bench                 every scenario
 *   npm run bench -- sequential   one of: sequential | wide | many | cancel | nowebhooks | keyframes | checked
 *
 * SCENEGATE_BENCH_HISTORIES=<folder> keeps every measured generation's history there as JSON.
 * SCENEGATE_BENCH_WORKER_ARGS="--cpu-prof --cpu-prof-dir=<folder>" gives the workers node flags
 * (split on spaces).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';
import Replicate from 'replicate';
import { GenerationClient, type GenerationHandle } from '../client/generation-client';
import { projectRoot, stateDir as scenegateStateDir } from '../common/paths';
import { loadSettings } from '../common/settings';
import { startDevServer } from '../devenv/dev-server';
import { buildProduction, distDir, productionWorkerEnv } from '../devenv/production-build';
import { freePort } from '../devenv/free-port';
import { startEmulator, type Emulator } from '../emulator';
import type { PlanInput, Strategy } from '../schema/plan';

const MODEL = 'scenegate/ip-adapter-video';
const mara = path.join(projectRoot, 'examples', 'references', 'mara.png');

function plan(id: string, scenes: number, strategy: Strategy, extra: Partial<PlanInput> = {}): PlanInput {
  return {
    generationId: id,
    model: MODEL,
    consistencyGroups: [{ id: 'mara', kind: 'character', referenceImages: [mara] }],
    scenes: Array.from({ length: scenes }, (_, i) => ({
      id: `s${i + 1}`,
      prompt: `${id} scene ${i + 1}`,
      durationSec: 1,
      entities: ['mara'],
    })),
    strategy,
    gate: { enabled: false },
    budget: { limitUsd: 10_000 },
    ...extra,
  };
}

/** Peak resident memory of a process, sampled from /proc every 100 ms. */
function sampleRss(pid: number): { stop(): number } {
  let peakKb = 0;
  const timer = setInterval(() => {
    void fs.readFile(`/proc/${pid}/status`, 'utf8').then(
      (status) => {
        peakKb = Math.max(peakKb, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
      },
      () => undefined
    );
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return peakKb / 1024;
    },
  };
}

/** The resident memory of a process and every process under it (the worker's scorer processes), in MB. */
async function treeRssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const own = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  const children = await fs.readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const sizes = await Promise.all(
    children
      .split(' ')
      .filter(Boolean)
      .map((child) => treeRssMb(Number(child)))
  );
  return sizes.reduce((sum, mb) => sum + mb, own);
}

/** CPU seconds (user + system) a process has used so far, from /proc; clock ticks are 1/100 s on Linux. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU used by the worker, the dev server and this process (the emulator and the bench client),
 * sampled every 100 ms so it can be read up to the moment the clips were all in (the assembly
 * after it is not what the figure is about).
 */
function cpuMeter(workerPid: number | null, serverPid: number): { stop(): void; usedUntil(ms: number): string } {
  const own = (): number => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  };
  const samples: { at: number; used: number[] }[] = [];
  const sample = async (): Promise<void> => {
    const at = Date.now();
    const used = [workerPid === null ? 0 : await cpuSeconds(workerPid), await cpuSeconds(serverPid), own()];
    samples.push({ at, used });
  };
  // no /proc (not Linux), or a process gone: the column reads "-"
  const tick = (): void => void sample().catch(() => undefined);
  tick();
  const timer = setInterval(tick, 100);
  return {
    stop: () => clearInterval(timer),
    usedUntil(ms) {
      const first = samples[0];
      if (!first) return '-';
      const last = samples.filter((s) => s.at <= ms).at(-1) ?? first;
      const used = last.used.map((v, i) => (v - first.used[i]!).toFixed(1));
      return workerPid === null ? `- / ${used[1]} / ${used[2]}` : used.join(' / ');
    },
  };
}

/** Seconds from spawning each production worker until it polled. */
const readySec: number[] = [];

/** Every bench worker's output, so the table is not lost among a few thousand log lines. */
const workerLog = path.join(scenegateStateDir(loadSettings()), 'bench', 'worker.log');

async function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const spawned = Date.now();
  // node flags for the worker only, such as `--cpu-prof --cpu-prof-dir=DIR` (NODE_OPTIONS refuses them)
  const child = spawn(
    process.execPath,
    [...(process.env.SCENEGATE_BENCH_WORKER_ARGS ?? '').split(' ').filter(Boolean), path.join(distDir, 'worker.js')],
    {
      env: { ...process.env, ...productionWorkerEnv, ...env },
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  );
  const log = createWriteStream(workerLog, { flags: 'a' });
  // two sources into one file: it ends when the worker has closed both
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  child.once('close', () => log.end());
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker polling')) {
        readySec.push((Date.now() - spawned) / 1000);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}; see ${workerLog}`)));
  });
  return child;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

interface Row {
  scenario: string;
  how: 'scenegate' | 'plain loop';
  scenes: number;
  /** Model time alone: `rounds` predictions one after another. */
  idealSec: number;
  rounds: number;
  /** From the first start until every prediction's clip was in (scenegate: the last assembly was scheduled). */
  settledSec: number;
  /** In sequence: the mean time between one prediction's end and the next one's creation at the emulator. */
  gapSec: number | null;
  /** From the start until the first prediction was created. */
  startSec: number;
  wallSec: number;
  /** Most activities pending at once while the models ran (a slot held per pending activity). */
  slotsHeld: string;
  /** Replicate API requests per prediction (files excluded). */
  apiCalls: string;
  rss: string;
  cpu: string;
  events: string;
}

async function main(): Promise<void> {
  const only = process.argv[2];
  // where to keep each run's history, to read where its time went (`temporal workflow show --input`)
  const keepHistories = process.env.SCENEGATE_BENCH_HISTORIES;
  const built = await buildProduction();
  await fs.mkdir(path.dirname(workerLog), { recursive: true });
  await fs.writeFile(workerLog, '');
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-bench-'));
  const server = await startDevServer({ headless: true, log: (line) => console.error(line) });
  const emulator: Emulator = await startEmulator({ dataDir: path.join(stateDir, 'emulator') });
  const connection = await Connection.connect({ address: server.address });
  const generations = new GenerationClient(new Client({ connection, namespace: server.namespace }), 'bench');
  const replicate = new Replicate({ auth: emulator.token, baseUrl: emulator.baseUrl, useFileOutput: false });
  const rows: Row[] = [];
  const notes: string[] = [];

  const configure = (latencyMs: number): void => {
    emulator.reset();
    emulator.configure(MODEL, {
      render: 'none',
      startingMs: 0,
      latency: { kind: 'fixed', ms: latencyMs },
      msPerOutputSecond: 0,
    });
  };
  /** What the emulator saw: time to the first create, and in sequence the mean gap between predictions. */
  const timing = (began: number): { startSec: number; gapSec: number | null } => {
    const predictions = emulator.stats().predictions.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
    const gaps = predictions.slice(1).map((p, i) => Date.parse(p.createdAt) - Date.parse(predictions[i]!.completedAt!));
    return {
      startSec: (Date.parse(predictions[0]!.createdAt) - began) / 1000,
      gapSec: gaps.length && gaps.every((g) => g >= 0) ? gaps.reduce((a, b) => a + b, 0) / gaps.length / 1000 : null,
    };
  };
  const apiCallsPerPrediction = (): string => {
    const { requestLog, predictionsCreated } = emulator.stats();
    const calls = requestLog.filter((r) => r.path.startsWith('/v1/') && !r.path.startsWith('/v1/files')).length;
    return (calls / Math.max(1, predictionsCreated)).toFixed(2);
  };

  /** The production worker against the emulator, with its webhook receiver on a free port unless `webhooks` is false. */
  async function startBenchWorker(webhooks: boolean): Promise<ChildProcess> {
    const port = await freePort();
    return startWorker({
      TEMPORAL_ADDRESS: server.address,
      SCENEGATE_TASK_QUEUE: 'bench',
      REPLICATE_BASE_URL: emulator.baseUrl,
      REPLICATE_API_TOKEN: '',
      SCENEGATE_STATE_DIR: stateDir,
      SCENEGATE_REFERENCE_ROOTS: projectRoot,
      // the emulator has no rate limit: Replicate's 600 a minute would put 20 s of waiting into 200 creates
      SCENEGATE_REPLICATE_CREATES_PER_MINUTE: '60000',
      ...(webhooks
        ? { SCENEGATE_WEBHOOK_PORT: String(port), SCENEGATE_WEBHOOK_URL: `http://127.0.0.1:${port}/replicate-webhook` }
        : { SCENEGATE_WEBHOOK_URL: '', SCENEGATE_WEBHOOK_PORT: '' }),
    });
  }

  /** Runs generations at once under one fresh worker. */
  async function measure(
    scenario: string,
    plans: PlanInput[],
    rounds: number,
    latencyMs: number,
    options: { webhooks?: boolean } = {}
  ): Promise<void> {
    configure(latencyMs);
    const worker = await startBenchWorker(options.webhooks !== false);
    const idle = sampleRss(worker.pid!);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idleMb = idle.stop();
    const rss = sampleRss(worker.pid!);
    const cpu = cpuMeter(worker.pid!, server.pid);
    const began = Date.now();
    const handles = await Promise.all(plans.map((p) => generations.start(p)));
    const slots = watchPendingActivities(handles, began + 500, began + latencyMs * rounds - 300);
    await Promise.all(handles.map((h) => h.result()));
    const wallSec = (Date.now() - began) / 1000;
    const peakMb = rss.stop();
    cpu.stop();
    const slotsHeld = await slots;
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));

    const fetched = await Promise.all(handles.map((h) => h.workflow.fetchHistory()));
    const histories = fetched.map((history) => history.events ?? []);
    if (keepHistories) {
      await fs.mkdir(keepHistories, { recursive: true });
      for (const [i, history] of fetched.entries()) {
        await fs.writeFile(path.join(keepHistories, `${handles[i]!.id}.json`), historyToJSON(history));
      }
    }
    let settledMs = 0;
    for (const events of histories) {
      const scheduled = events.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'assembleVideo'
      );
      if (!scheduled) throw new Error('a generation finished without an assembly');
      settledMs = Math.max(settledMs, tsToMs(scheduled.eventTime) - began);
    }
    rows.push({
      scenario,
      how: 'scenegate',
      scenes: plans.reduce((n, p) => n + p.scenes.length, 0),
      idealSec: (rounds * latencyMs) / 1000,
      rounds,
      settledSec: settledMs / 1000,
      ...timing(began),
      wallSec,
      slotsHeld: String(slotsHeld),
      apiCalls: apiCallsPerPrediction(),
      rss: `${idleMb.toFixed(0)} → ${peakMb.toFixed(0)} MB`,
      cpu: cpu.usedUntil(began + settledMs),
      events: String(Math.max(...histories.map((events) => events.length))),
    });
    console.error(`# ${scenario}: ${wallSec.toFixed(1)} s`);
  }

  /**
   * Most activity slots held through a model run at once, sampled while the models run: pending
   * activities started over half a second before (a create or a download takes milliseconds; an
   * activity that waited on a model would hold its slot for the whole run).
   */
  async function watchPendingActivities(handles: GenerationHandle[], from: number, until: number): Promise<number> {
    let most = 0;
    while (Date.now() < from) await new Promise((r) => setTimeout(r, 50));
    while (Date.now() < until) {
      const pending = await Promise.all(
        handles.map(async (h) => {
          const activities = (await h.workflow.describe()).raw.pendingActivities ?? [];
          const now = Date.now();
          return activities.filter((a) => a.lastStartedTime && now - tsToMs(a.lastStartedTime) > 500).length;
        })
      );
      most = Math.max(
        most,
        pending.reduce((a, b) => a + b, 0)
      );
      await new Promise((r) => setTimeout(r, 200));
    }
    return most;
  }

  /** The same predictions through `replicate.run`: no durability, no budget, no gate, no clip download. */
  async function plainLoop(scenario: string, scenes: number, parallel: boolean, latencyMs: number): Promise<void> {
    configure(latencyMs);
    const run = (i: number): Promise<unknown> =>
      replicate.run(MODEL, { input: { prompt: `plain ${i}`, reference_images: ['data:,x'], duration: 1 } });
    const cpu = cpuMeter(null, server.pid);
    const began = Date.now();
    if (parallel) await Promise.all(Array.from({ length: scenes }, (_, i) => run(i)));
    else for (let i = 0; i < scenes; i++) await run(i);
    const wallSec = (Date.now() - began) / 1000;
    cpu.stop();
    const rounds = parallel ? 1 : scenes;
    rows.push({
      scenario,
      how: 'plain loop',
      scenes,
      idealSec: (rounds * latencyMs) / 1000,
      rounds,
      settledSec: wallSec,
      ...timing(began),
      wallSec,
      slotsHeld: '-',
      apiCalls: apiCallsPerPrediction(),
      rss: '-',
      cpu: cpu.usedUntil(Date.now()),
      events: '-',
    });
  }

  const stamp = Date.now();
  if (!only || only === 'sequential') {
    await measure(
      'sequential, 12 × 2 s',
      [plan(`bench-seq-${stamp}`, 12, { mode: 'sequential', concurrency: 1 })],
      12,
      2000
    );
    await plainLoop('sequential, 12 × 2 s', 12, false, 2000);
  }
  if (!only || only === 'wide') {
    await measure(
      '200 scenes at once, 5 s',
      [plan(`bench-wide-${stamp}`, 200, { mode: 'parallel', concurrency: 1 })],
      1,
      5000
    );
    await plainLoop('200 scenes at once, 5 s', 200, true, 5000);
  }
  if (!only || only === 'many') {
    const plans = Array.from({ length: 20 }, (_, i) =>
      plan(`bench-many-${i}-${stamp}`, 10, { mode: 'pool', concurrency: 5 })
    );
    await measure('20 generations × 10 scenes, pool 5, 2 s', plans, 2, 2000);
  }
  if (!only || only === 'nowebhooks') {
    await measure(
      'sequential, 8 × 2 s, no webhooks (reads)',
      [
        plan(
          `bench-reads-${stamp}`,
          8,
          { mode: 'sequential', concurrency: 1 },
          { timeouts: { predictionCheck: '30s' } }
        ),
      ],
      8,
      2000,
      { webhooks: false }
    );
    // in sequence the next create follows the workflow's seeing the end: this bounds it from above
    const ordered = emulator.stats().predictions.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
    const seen = ordered.slice(1).map((p, i) => Date.parse(p.createdAt) - Date.parse(ordered[i]!.completedAt!));
    notes.push(
      `No webhooks: from a prediction's end (its completed_at) to the next scene's create, ${seen.length} gaps: p50 ${(percentile(seen, 50) / 1000).toFixed(2)} s, p95 ${(percentile(seen, 95) / 1000).toFixed(2)} s, max ${(Math.max(...seen) / 1000).toFixed(2)} s.`
    );
  }
  if (!only || only === 'cancel') notes.push(await cancelLatency(`bench-cancel-${stamp}`));
  if (!only || only === 'keyframes') notes.push(await keyframesFirst(stamp));
  if (!only || only === 'checked') notes.push(await everySceneChecked(stamp));

  console.log(
    '\n| scenario | run by | scenes | model time alone | all clips in | over model time | overhead per scene in sequence | start to first create | wall | activity slots held while models ran | API calls per prediction | worker RSS idle → peak | CPU s: worker / server / emulator | history events |'
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const cells = [
      r.scenario,
      r.how,
      r.scenes,
      `${r.idealSec} s`,
      `${r.settledSec.toFixed(2)} s`,
      `+${(r.settledSec - r.idealSec).toFixed(2)} s`,
      r.gapSec === null ? '-' : `${r.gapSec.toFixed(3)} s`,
      `${r.startSec.toFixed(2)} s`,
      `${r.wallSec.toFixed(1)} s`,
      r.slotsHeld,
      r.apiCalls,
      r.rss,
      r.cpu,
      r.events,
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
  for (const note of notes) console.log(`\n${note}`);
  console.log(
    `\nProduction worker (node dist/worker.js; ${built.map((f) => `${f.file} ${f.kb} KB`).join(', ')}): polling ${readySec.map((s) => s.toFixed(2)).join(', ')} s after each start.`
  );
  console.log(`Worker logs: ${path.relative(process.cwd(), workerLog)}`);
  console.log(`\n${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);

  /**
   * Issue 18's comparison, one run each: a 12-scene parallel plan whose scenes 4, 7 and 10 come
   * out as another person on their first attempt, made `direct` (every clip checked) and with
   * `keyframe` (every keyframe checked before its clip). Hosted-like ratios: a keyframe takes 5 s
   * and costs $0.03, a clip 60 s and $1.00. Both checked with the local scorer, which sees exactly
   * what the emulator draws.
   */
  async function keyframesFirst(id: number): Promise<string> {
    const drifting = (i: number): boolean => [4, 7, 10].includes(i + 1);
    const twelve = (name: string, extra: Partial<PlanInput>): PlanInput => {
      const p = plan(`bench-${name}-${id}`, 12, { mode: 'parallel', concurrency: 1 }, extra);
      p.scenes.forEach((scene, i) => (scene.prompt = `${scene.prompt}${drifting(i) ? ' DRIFT' : ''}`));
      return p;
    };
    const gate = { enabled: true, threshold: 0.6, maxAttempts: 3, scorer: 'local' as const };
    const strong = [{ id: 'mara', kind: 'character' as const, referenceImages: [mara], strength: 0.7 }];
    const drift = { promptIncludes: 'DRIFT', attempts: 3 };
    const model = (latencyMs: number, usd: number, withDrift: boolean) => ({
      render: 'ffmpeg' as const,
      startingMs: 0,
      latency: { kind: 'fixed' as const, ms: latencyMs },
      msPerOutputSecond: 0,
      price: { perRunUsd: usd },
      ...(withDrift ? { drift } : {}),
    });
    const runs: { name: string; plan: PlanInput; configure: () => void }[] = [
      {
        name: 'direct',
        plan: twelve('direct', { gate, consistencyGroups: strong, consistency: { scenes: 'all' } }),
        configure: () => emulator.configure(MODEL, model(60_000, 1, true)),
      },
      {
        name: 'keyframe',
        plan: twelve('keyframe', {
          gate,
          consistencyGroups: strong,
          pipeline: 'keyframe',
          model: 'scenegate/image-to-video',
        }),
        configure: () => {
          emulator.configure('scenegate/ip-adapter-image', model(5_000, 0.03, true));
          emulator.configure('scenegate/image-to-video', model(60_000, 1, false));
        },
      },
    ];
    const lines = [
      '| pipeline | predictions | spent | spent on drifted attempts | to the final video | drifted attempts |',
      '|---|---|---|---|---|---|',
    ];
    for (const run of runs) {
      emulator.reset();
      run.configure();
      const worker = await startBenchWorker(true);
      try {
        const began = Date.now();
        const handle = await generations.start(run.plan);
        const result = await handle.result();
        const settledSec = (Date.now() - began) / 1000;
        const predictions = emulator.stats().predictions;
        const billed = (ids: (string | null | undefined)[]): number =>
          predictions.filter((p) => ids.includes(p.id)).reduce((sum, p) => sum + p.costUsd, 0);
        const missed = result.scenes.flatMap((s) => s.history.filter((a) => a.status === 'missed'));
        const wasted = billed(missed.flatMap((a) => [a.keyframePredictionId, a.predictionId]));
        lines.push(
          `| ${run.name} | ${predictions.length} | $${billed(predictions.map((p) => p.id)).toFixed(2)} | $${wasted.toFixed(2)} | ${settledSec.toFixed(1)} s | ${missed.length} |`
        );
        console.error(`# keyframes, ${run.name}: ${settledSec.toFixed(1)} s`);
      } finally {
        worker.kill('SIGTERM');
        await new Promise((resolve) => worker.once('exit', resolve));
      }
    }
    return `Keyframes first (issue 18): 12 scenes in parallel, scenes 4, 7 and 10 drawn as another person on their first attempt; keyframe 5 s at $0.03, clip 60 s at $1.00; "to the final video" is start to result.\n\n${lines.join('\n')}`;
  }

  /**
   * Issue 21's timing and memory: 12 scenes in parallel, 5 s of model time each, made once with
   * no check and once with every clip checked by the `vision` scorer (faces of Mara's
   * photograph, drawn at strength 0.9 so the detector finds them; a drift is only flagged, so
   * both runs make the same twelve clips). "All clips in" is the run's start to its assembly;
   * memory is the worker and its scorer processes together, idle before the run and at its peak.
   */
  async function everySceneChecked(id: number): Promise<string> {
    const photo = path.join(projectRoot, 'examples', 'references', 'mara-photo.png');
    const twelve = (name: string, extra: Partial<PlanInput>): PlanInput =>
      plan(
        `bench-${name}-${id}`,
        12,
        { mode: 'parallel', concurrency: 1 },
        {
          consistencyGroups: [{ id: 'mara', kind: 'character', referenceImages: [photo], strength: 0.9 }],
          ...extra,
        }
      );
    const runs: { name: string; plan: PlanInput }[] = [
      { name: 'unchecked', plan: twelve('unchecked', {}) },
      {
        name: 'every scene checked (vision)',
        plan: twelve('checked', {
          gate: { enabled: false, scorer: 'vision' },
          consistency: { scenes: 'all', onDrift: 'flag' },
        }),
      },
    ];
    const lines = [
      '| run | model time alone | all clips in | over model time | worker + scorers RSS idle → peak | checks |',
      '|---|---|---|---|---|---|',
    ];
    for (const run of runs) {
      emulator.reset();
      emulator.configure(MODEL, {
        render: 'ffmpeg',
        startingMs: 0,
        latency: { kind: 'fixed', ms: 5000 },
        msPerOutputSecond: 0,
      });
      const worker = await startBenchWorker(true);
      try {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const idleMb = await treeRssMb(worker.pid!);
        let peakMb = idleMb;
        const timer = setInterval(() => void treeRssMb(worker.pid!).then((mb) => (peakMb = Math.max(peakMb, mb))), 100);
        const began = Date.now();
        const handle = await generations.start(run.plan);
        await handle.result();
        clearInterval(timer);
        const events = (await handle.workflow.fetchHistory()).events ?? [];
        const assembly = events.find(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'assembleVideo'
        );
        const settledSec = (tsToMs(assembly!.eventTime) - began) / 1000;
        const checks = (await handle.progress()).consistency?.checks ?? [];
        const drifted = checks.filter((c) => c.verdict === 'drift').length;
        lines.push(
          `| ${run.name} | 5 s | ${settledSec.toFixed(2)} s | +${(settledSec - 5).toFixed(2)} s | ${idleMb.toFixed(0)} → ${peakMb.toFixed(0)} MB | ${checks.length ? `${checks.length} (${drifted} below the threshold)` : '-'} |`
        );
        console.error(`# checked, ${run.name}: ${settledSec.toFixed(1)} s`);
      } finally {
        worker.kill('SIGTERM');
        await new Promise((resolve) => worker.once('exit', resolve));
      }
    }
    return `Every scene checked (issue 21): 12 scenes in parallel, 5 s of model time each, the emulator rendering.\n\n${lines.join('\n')}`;
  }

  async function cancelLatency(id: string): Promise<string> {
    // 20 predictions due to finish 5 s after they start; the generation is cancelled once all run
    configure(5000);
    const worker = await startBenchWorker(true);
    try {
      const handle = await generations.start(plan(id, 20, { mode: 'parallel', concurrency: 1 }));
      while (emulator.stats().predictions.filter((p) => p.status === 'processing').length < 20) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const asked = Date.now();
      await handle.cancel();
      await handle.result().catch(() => undefined);
      const stats = emulator.stats().predictions;
      const delays = stats.map((p) => Date.parse(p.completedAt!) - asked);
      const canceled = stats.filter((p) => p.status === 'canceled').length;
      return `Cancel: 20 predictions running, each due to finish 5 s after it started; ${canceled}/20 ended canceled, cancel request to canceled at the emulator p50 ${(percentile(delays, 50) / 1000).toFixed(2)} s, p95 ${(percentile(delays, 95) / 1000).toFixed(2)} s, max ${(Math.max(...delays) / 1000).toFixed(2)} s.`;
    } finally {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  }

  await connection.close();
  await emulator.close();
  await server.stop();
  await fs.rm(stateDir, { recursive: true, force: true });
}

await main();
