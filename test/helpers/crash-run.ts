import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import type { GenerationHandle } from '../../client/generation-client';
import { seededRandom } from '../../emulator/random';
import type { PlanInput } from '../../schema/plan';
import type { GenerationResult } from '../../schema/progress';
import type { GenerationEnv } from './generation-env';

/** What a crash run saw: its kills (each with the model whose create armed it), and what every generation ended with. */
export interface CrashRun {
  killsAfter: string[];
  results: GenerationResult[];
  predictions: number;
  adopted: number;
}

/**
 * Keeps three generations of `plan` going under one polling worker and kills it with SIGKILL
 * 0-300 ms after a create, `kills` times; the next worker waits loaded and connected, so a kill
 * is not followed by a process start. Then checks what every crash test promises: each
 * prediction the emulator created is one the workflow recorded (keyframes included), none was
 * created twice, and each generation booked what the emulator billed it.
 */
export async function runCrashes(
  env: GenerationEnv,
  kills: number,
  plan: (generationId: string) => PlanInput
): Promise<CrashRun> {
  const random = seededRandom(20261125);
  // a killed worker's workflow tasks go back to the shared queue after STICKY_TIMEOUT, not the default 10 s
  const standbyWorker = (): ChildProcess =>
    env.workerProcess({ WEBHOOK_URL: env.receiver.url, STICKY_TIMEOUT: '1s' }, 'ignore', 'standby');
  const takeOver = (worker: ChildProcess): ChildProcess => {
    worker.stdin!.end('go\n');
    return worker;
  };
  const handles: GenerationHandle[] = [];
  const killsAfter: string[] = [];
  let worker = takeOver(standbyWorker());
  let standby = standbyWorker();
  let killing = false;
  // each create arms one kill at a random moment up to 300 ms later, unless one is armed already
  const stop = env.emulator.onCreated((predictionId) => {
    if (killing || killsAfter.length >= kills) return;
    killing = true;
    const model = env.emulator.stats().predictions.find((p) => p.id === predictionId)?.model ?? 'unknown';
    setTimeout(
      () => {
        worker.kill('SIGKILL');
        killsAfter.push(model);
        worker = takeOver(standby);
        standby = standbyWorker();
        killing = false;
      },
      Math.floor(random() * 300)
    );
  });
  try {
    for (let g = 0; killsAfter.length < kills; g++) {
      // keep three generations going until every kill is done
      while (handles.filter((h) => !('done' in h)).length < 3) {
        const handle = await env.generations.start(plan(`crash-${g}-${handles.length}-${Date.now()}`));
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

    const predictions = env.emulator.stats().predictions;
    for (const result of results) {
      assert.equal(result.status, 'succeeded', result.generationId);
      const created = predictions.filter((p) => p.prompt.startsWith(`${result.generationId} `));
      const recorded = result.scenes.flatMap((s) =>
        s.history.flatMap((a) => [a.keyframePredictionId, a.predictionId].filter((id) => id !== undefined))
      );
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
    return { killsAfter, results, predictions: predictions.length, adopted };
  } finally {
    stop();
    worker.kill('SIGKILL');
    standby.kill('SIGKILL');
  }
}
