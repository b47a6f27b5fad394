/**
 * Scale-out on the real cluster (`npm run test:cluster`): 20 generations across three production
 * workers that share nothing but the object store and a Temporal server on PostgreSQL, while
 * workers are killed and started again and the Temporal server is killed and started again
 * once. Nothing is lost or stuck, nothing is paid twice, what each generation booked is what
 * the emulator billed, and every final video opens from the object store.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { GenerationHandle } from '../../client/generation-client';
import { startFleet, type Fleet } from '../../devenv/cluster/fleet';
import { seededRandom } from '../../emulator/random';
import { probeMedia } from '../../media/ffmpeg';
import type { GenerationResult } from '../../schema/progress';
import { testPlan } from '../helpers/generation-env';

const GENERATIONS = 20;
const SCENES = 4;

let fleet: Fleet;
let dir: string;
before(
  async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-scale-'));
    // the cluster's PostgreSQL runs as its own account, which must be able to pass through the folder
    await fs.chmod(dir, 0o711);
    fleet = await startFleet({ dir, workers: 3, taskQueue: 'scale-out', log: (line) => console.error(`# ${line}`) });
    fleet.emulator.configure('scenegate/ip-adapter-video', {
      render: 'none',
      startingMs: 50,
      latency: { kind: 'uniform', minMs: 500, maxMs: 2500 },
    });
  },
  { timeout: 30 * 60_000 }
);
after(async () => {
  await fleet?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The result, asked again while the server is down: a client's long poll does not outlive its server. */
async function resultOf(handle: GenerationHandle): Promise<GenerationResult> {
  for (;;) {
    try {
      return await handle.result();
    } catch (err) {
      const message = String((err as Error).message);
      if (!/UNAVAILABLE|No connection|ECONNREFUSED|Unavailable|DEADLINE/i.test(message)) throw err;
      await pause(1000);
    }
  }
}

test(
  `${GENERATIONS} generations on three workers through worker kills and a server restart: none lost, none stuck, none paid twice`,
  { timeout: 20 * 60_000 },
  async () => {
    const random = seededRandom(20261201);
    const handles: GenerationHandle[] = [];
    for (let g = 0; g < GENERATIONS; g++) {
      const plan = testPlan(`scale-${g}-${Date.now()}`, SCENES, {
        strategy: { mode: 'pool', concurrency: 2 },
        timeouts: { heartbeat: '5s', predictionCheck: '5s' },
      });
      plan.scenes.forEach((s) => (s.prompt = `${plan.generationId} ${s.id}`));
      handles.push(await fleet.generations.start(plan));
    }
    const results = Promise.all(handles.map(resultOf));
    let finished = false;
    void results.finally(() => (finished = true)).catch(() => undefined);

    // chaos while they run: a worker killed every few seconds and started again, the server once
    let workerKills = 0;
    let serverRestarts = 0;
    while (!finished) {
      await pause(1500 + random() * 1500);
      if (finished) break;
      if (workerKills === 4 && serverRestarts === 0) {
        await fleet.cluster.temporal.kill();
        await pause(2000);
        await fleet.cluster.temporal.restart();
        serverRestarts++;
        continue;
      }
      const worker = fleet.workers[Math.floor(random() * fleet.workers.length)]!;
      await worker.kill();
      workerKills++;
      await pause(500);
      worker.start();
    }
    for (const worker of fleet.workers) worker.start();
    const done = await results;

    assert.ok(serverRestarts === 1, 'the server was killed and started again once, while generations ran');
    assert.ok(workerKills >= 4, `${workerKills} worker kills`);
    const predictions = fleet.emulator.stats().predictions;
    for (const result of done) {
      assert.equal(result.status, 'succeeded', result.generationId);
      const created = predictions.filter((p) => p.prompt.startsWith(`${result.generationId} `));
      const recorded = result.scenes.flatMap((s) => s.history.map((a) => a.predictionId));
      assert.deepEqual(created.map((p) => p.id).sort(), recorded.sort(), `${result.generationId}: created = recorded`);
      const billed = created.reduce((sum, p) => sum + p.costUsd, 0);
      assert.ok(
        Math.abs(result.costUsd - billed) < 1e-9,
        `${result.generationId}: booked ${result.costUsd}, billed ${billed}`
      );
      const video = await fetch(await fleet.storage.location(result.videoPath, 600));
      assert.equal(video.status, 200, `${result.generationId}: the final video opens from the object store`);
      const file = path.join(dir, `${result.generationId}.mp4`);
      await fs.writeFile(file, Buffer.from(await video.arrayBuffer()));
      assert.ok(
        Math.abs((await probeMedia(file)).durationSec - SCENES * 2) < 0.5,
        `${result.generationId}: ${SCENES} × 2 s`
      );
    }
    const duplicates = Object.values(fleet.emulator.stats().createsByFingerprint).filter((f) => f.count > 1);
    assert.deepEqual(duplicates, [], 'no input was created twice');
    console.log(
      `# scale-out: ${done.length} generations, ${predictions.length} predictions, ${workerKills} worker kills, ${serverRestarts} server restart, 0 lost, 0 stuck, 0 duplicates, booked = billed`
    );
  }
);
