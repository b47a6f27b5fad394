/**
 * `npm run bench`: what scenegate's orchestration costs on top of the model's own time, and how
 * much memory a worker needs, on a real dev server with the emulator in no-render mode (a
 * pre-made clip, so ffmpeg's time is not measured). The worker is `worker/main.ts` in its own
 * process, with its production settings (polling from 0.5 s up to 5 s), so its memory is its own.
 *
 *   npm run bench                 every scenario
 *   npm run bench -- strategies   one scenario: strategies | wide | many
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { GenerationClient } from '../client/generation-client';
import { startDevServer } from '../devenv/dev-server';
import { projectRoot } from '../common/paths';
import { startEmulator, type Emulator } from '../emulator';
import type { PlanInput, Strategy } from '../schema/plan';

const MODEL = 'scenegate/ip-adapter-video';
const mara = path.join(projectRoot, 'examples', 'references', 'mara.png');

function plan(id: string, scenes: number, strategy: Strategy): PlanInput {
  return {
    generationId: id,
    model: MODEL,
    consistencyGroups: [{ id: 'mara', kind: 'character', referenceImages: [mara] }],
    scenes: Array.from({ length: scenes }, (_, i) => ({
      id: `s${i + 1}`,
      prompt: `scene ${i + 1}`,
      durationSec: 1,
      entities: ['mara'],
    })),
    strategy,
    gate: { enabled: false },
    budget: { limitUsd: 10_000 },
  };
}

/** Peak resident memory of a process, sampled from /proc every 100 ms. */
function sampleRss(pid: number): { stop(): number } {
  let peakKb = 0;
  const timer = setInterval(() => {
    void fs.readFile(`/proc/${pid}/status`, 'utf8').then(
      (status) => {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peakKb = Math.max(peakKb, kb);
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

async function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'worker', 'main.ts')], {
    env: { ...process.env, ...env },
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker polling')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}`)));
  });
  return child;
}

interface Row {
  scenario: string;
  scenes: number;
  wallSec: number;
  /** Model time alone: `rounds` predictions one after another. */
  idealSec: number;
  rounds: number;
  /** From the first start until every scene had settled (the last assembly was scheduled). */
  scenesSec: number;
  /** The slowest generation's assembly (ffmpeg joining clips, contact sheet). */
  assemblySec: number;
  peakInFlight: number;
  workerIdleRssMb: number;
  workerPeakRssMb: number;
  historyEvents: number;
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-bench-'));
  const server = await startDevServer({ headless: true, log: (line) => console.error(line) });
  const emulator: Emulator = await startEmulator({ dataDir: path.join(stateDir, 'emulator') });
  const connection = await Connection.connect({ address: server.address });
  const generations = new GenerationClient(new Client({ connection, namespace: server.namespace }), 'bench');
  const rows: Row[] = [];

  /** Runs generations at once under one fresh worker; at best they take `rounds` predictions of `latencyMs` end to end. */
  async function measure(scenario: string, plans: PlanInput[], rounds: number, latencyMs: number): Promise<void> {
    const idealSec = (rounds * latencyMs) / 1000;
    emulator.reset();
    emulator.configure(MODEL, {
      render: 'none',
      startingMs: 0,
      latency: { kind: 'fixed', ms: latencyMs },
      msPerOutputSecond: 0,
    });
    const worker = await startWorker({
      TEMPORAL_ADDRESS: server.address,
      SCENEGATE_TASK_QUEUE: 'bench',
      REPLICATE_BASE_URL: emulator.baseUrl,
      REPLICATE_API_TOKEN: '',
      SCENEGATE_STATE_DIR: stateDir,
      SCENEGATE_REFERENCE_ROOTS: projectRoot,
      SCENEGATE_MAX_CONCURRENT_ACTIVITIES: '250',
    });
    const idle = sampleRss(worker.pid!);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const workerIdleRssMb = idle.stop();
    const rss = sampleRss(worker.pid!);
    const began = Date.now();
    const handles = await Promise.all(plans.map((p) => generations.start(p)));
    await Promise.all(handles.map((h) => h.result()));
    const wallSec = (Date.now() - began) / 1000;
    const workerPeakRssMb = rss.stop();
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));

    const histories = await Promise.all(handles.map(async (h) => (await h.workflow.fetchHistory()).events ?? []));
    let scenesSettledMs = 0;
    let assemblyMs = 0;
    for (const events of histories) {
      const scheduled = events.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'assembleVideo'
      );
      const done = events.find(
        (e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled?.eventId)
      );
      if (!scheduled || !done) throw new Error('a generation finished without an assembly');
      scenesSettledMs = Math.max(scenesSettledMs, tsToMs(scheduled.eventTime) - began);
      assemblyMs = Math.max(assemblyMs, tsToMs(done.eventTime) - tsToMs(scheduled.eventTime));
    }
    const scenes = plans.reduce((n, p) => n + p.scenes.length, 0);
    const row: Row = {
      scenario,
      scenes,
      wallSec,
      idealSec,
      rounds,
      scenesSec: scenesSettledMs / 1000,
      assemblySec: assemblyMs / 1000,
      peakInFlight: emulator.stats().peakConcurrent,
      workerIdleRssMb,
      workerPeakRssMb,
      historyEvents: Math.max(...histories.map((events) => events.length)),
    };
    rows.push(row);
    console.error(`# ${scenario}: ${wallSec.toFixed(1)} s for ${scenes} scenes (model time ${idealSec} s)`);
  }

  const stamp = Date.now();
  if (!only || only === 'strategies') {
    // 12 scenes of 2 s model time each: the floor is 24 s sequential, 6 s in threes, 2 s all at once
    const latency = 2000;
    for (const [strategy, rounds] of [
      [{ mode: 'sequential', concurrency: 1 }, 12],
      [{ mode: 'batched', concurrency: 4 }, 3],
      [{ mode: 'pool', concurrency: 4 }, 3],
      [{ mode: 'parallel', concurrency: 1 }, 1],
    ] as const) {
      await measure(
        `${strategy.mode}, 12 scenes`,
        [plan(`bench-${strategy.mode}-${stamp}`, 12, strategy)],
        rounds,
        latency
      );
    }
  }
  if (!only || only === 'wide') {
    await measure(
      'parallel, 200 scenes in one generation',
      [plan(`bench-wide-${stamp}`, 200, { mode: 'parallel', concurrency: 1 })],
      1,
      5000
    );
  }
  if (!only || only === 'many') {
    const plans = Array.from({ length: 20 }, (_, i) =>
      plan(`bench-many-${i}-${stamp}`, 10, { mode: 'pool', concurrency: 5 })
    );
    await measure('20 generations at once, 10 scenes each, pool 5', plans, 2, 2000);
  }

  console.log(
    '\n| scenario | scenes | model time alone | all scenes settled | overhead per round | assembly | wall | peak in flight | worker RSS idle → peak | history events |'
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const overhead = (r.scenesSec - r.idealSec) / r.rounds;
    const cells = [
      r.scenario,
      r.scenes,
      `${r.idealSec} s`,
      `${r.scenesSec.toFixed(1)} s`,
      `${overhead.toFixed(2)} s`,
      `${r.assemblySec.toFixed(1)} s`,
      `${r.wallSec.toFixed(1)} s`,
      r.peakInFlight,
      `${r.workerIdleRssMb.toFixed(0)} → ${r.workerPeakRssMb.toFixed(0)} MB`,
      r.historyEvents,
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
  console.log(`\n${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);

  await connection.close();
  await emulator.close();
  await server.stop();
  await fs.rm(stateDir, { recursive: true, force: true });
}

await main();
