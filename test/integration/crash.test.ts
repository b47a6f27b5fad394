/**
 * Workers killed with SIGKILL at random moments 0-300 ms after a prediction is created, at
 * least 30 times across several generations: every prediction the emulator created is one the
 * workflow recorded (none paid twice, none forgotten), and what each generation booked is what
 * the emulator billed it.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { GenerationHandle } from '../../client/generation-client';
import { seededRandom } from '../../emulator/random';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

const KILLS = 30;
let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
  env.emulator.configure('scenegate/ip-adapter-video', {
    render: 'none',
    startingMs: 20,
    latency: { kind: 'uniform', minMs: 100, maxMs: 900 },
    // most kills then land while a create's answer is on its way: created, but not yet known to the worker
    createAnswerDelayMs: 150,
  });
});
after(async () => {
  await env.teardown();
});

/** The next worker, loaded and connected while the current one works, so a kill is not followed by a process start. */
function standbyWorker(): ChildProcess {
  // a killed worker's workflow tasks go back to the shared queue after STICKY_TIMEOUT, not the default 10 s
  return env.workerProcess({ WEBHOOK_URL: env.receiver.url, STICKY_TIMEOUT: '1s' }, 'ignore', 'standby');
}

function takeOver(worker: ChildProcess): ChildProcess {
  worker.stdin!.end('go\n');
  return worker;
}

test(`${KILLS} kills of the worker 0-300 ms after creates: nothing paid twice, nothing forgotten, booked = billed`, async () => {
  const random = seededRandom(20261125);
  const handles: GenerationHandle[] = [];
  let worker = takeOver(standbyWorker());
  let standby = standbyWorker();
  let kills = 0;
  let killing = false;
  // each create arms one kill at a random moment up to 300 ms later, unless one is armed already
  const stop = env.emulator.onCreated(() => {
    if (killing || kills >= KILLS) return;
    killing = true;
    setTimeout(
      () => {
        worker.kill('SIGKILL');
        kills++;
        worker = takeOver(standby);
        standby = standbyWorker();
        killing = false;
      },
      Math.floor(random() * 300)
    );
  });
  try {
    for (let g = 0; kills < KILLS; g++) {
      // keep three generations going until every kill is done
      while (handles.filter((h) => !('done' in h)).length < 3) {
        const generationId = `crash-${g}-${handles.length}-${Date.now()}`;
        const plan = testPlan(generationId, 4, {
          strategy: { mode: 'pool', concurrency: 2 },
          timeouts: { heartbeat: '2s', predictionCheck: '1s' },
        });
        plan.scenes.forEach((s) => (s.prompt = `${generationId} ${s.id}`));
        const handle = await env.generations.start(plan);
        handles.push(handle);
        void handle.result().then(
          () => Object.assign(handle, { done: true }),
          () => Object.assign(handle, { done: true })
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    stop();
    const results = await Promise.all(handles.map((h) => h.result()));
    assert.ok(kills >= KILLS, `${kills} kills`);

    const predictions = env.emulator.stats().predictions;
    for (const result of results) {
      assert.equal(result.status, 'succeeded', result.generationId);
      const created = predictions.filter((p) => p.prompt.startsWith(`${result.generationId} `));
      const recorded = result.scenes.flatMap((s) => s.history.map((a) => a.predictionId));
      assert.deepEqual(
        created.map((p) => p.id).sort(),
        recorded.sort(),
        `${result.generationId}: every prediction created at the emulator is one the workflow recorded`
      );
      const billed = created.reduce((sum, p) => sum + p.costUsd, 0);
      assert.ok(
        Math.abs(result.costUsd - billed) < 1e-9,
        `${result.generationId}: booked ${result.costUsd}, billed ${billed}`
      );
    }
    const duplicates = Object.values(env.emulator.stats().createsByFingerprint).filter((f) => f.count > 1);
    assert.deepEqual(duplicates, [], 'no input was created twice');
    // creates a retry found already made: kills that landed between a prediction's creation and its worker hearing of it
    let adopted = 0;
    for (const handle of handles) {
      for (const event of (await handle.workflow.fetchHistory()).events ?? []) {
        const payload = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
        if (payload && Buffer.from(payload).toString().includes('"adopted":true')) adopted++;
      }
    }
    assert.ok(adopted >= 1, 'some kills landed while a create was answered, so the retry had something to find');
    console.log(
      `# crash test: ${kills} kills, ${results.length} generations, ${predictions.length} predictions, ${adopted} creates adopted by a retry, 0 duplicates`
    );
  } finally {
    stop();
    worker.kill('SIGKILL');
    standby.kill('SIGKILL');
  }
});
