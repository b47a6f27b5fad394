import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { UpdateRefusedError } from '../../client/generation-client';
import { FailureType } from '../../schema/failures';
import { isWorkflowFailure } from '../helpers/failures';
import { recordHistory } from '../helpers/histories';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { waitForProgress } from '../helpers/wait';

let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
});
beforeEach(() => env.emulator.reset());
after(async () => {
  await env.teardown();
});

const id = (name: string): string => `${name}-${Date.now()}`;

/** A 3-scene plan whose groups start at `strength`, with the gate as given. */
function gatedPlan(name: string, strength: number, gate: Record<string, unknown>) {
  const plan = testPlan(id(name), 3, { gate: { enabled: true, scorer: 'local', ...gate } });
  for (const group of plan.consistencyGroups) group.strength = strength;
  return plan;
}

test('gate pass: scene 1 scores above the threshold and the rest are released', async () => {
  const result = await env.withWorker(async () => {
    const handle = await env.generations.start(gatedPlan('gate-pass', 0.75, { threshold: 0.6 }));
    const done = await handle.result();
    const progress = await handle.progress();
    assert.equal(progress.gate.status, 'passed');
    assert.equal(progress.gate.scores.length, 1);
    assert.ok(progress.gate.scores[0]!.score >= 0.6, `score ${progress.gate.scores[0]!.score}`);
    await recordHistory('gate-pass', handle.workflow);
    return done;
  });
  assert.equal(result.status, 'succeeded');
  assert.equal(env.emulator.stats().predictionsCreated, 3);
});

test('gate fail, then stronger, then pass: the retry raises the reference strength for every later scene', async () => {
  const result = await env.withWorker(async () => {
    const handle = await env.generations.start(
      gatedPlan('gate-stronger', 0.35, { threshold: 0.6, strengthStep: 0.3, maxAttempts: 3 })
    );
    const done = await handle.result();
    const { gate } = await handle.progress();
    assert.equal(gate.scores.length, 2);
    const [first, second] = gate.scores;
    assert.ok(first!.score < 0.6 && second!.score >= 0.6, `scores ${first!.score} then ${second!.score}`);
    assert.equal(first!.strength, 0.35);
    assert.equal(second!.strength, 0.65);
    await recordHistory('gate-stronger', handle.workflow);
    return done;
  });
  assert.deepEqual(
    result.scenes.map((s) => s.strength),
    [0.65, 0.65, 0.65]
  );
  assert.equal(result.scenes[0]!.attempts, 2);
  assert.equal(env.emulator.stats().predictionsCreated, 4, 'two gate attempts, then the two released scenes');
});

test('manual gate: a person approves scene 1; an early approval is refused by the validator', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(gatedPlan('gate-manual', 0.7, { scorer: 'manual' }));
    await assert.rejects(handle.approveGate('too early'), (err: unknown) => {
      assert.ok(err instanceof UpdateRefusedError);
      assert.match(err.message, /not waiting for a decision/);
      return true;
    });
    const waiting = await waitForProgress(handle, (p) => p.status === 'awaiting_approval');
    assert.match(waiting.waitingFor ?? '', /approveGate/);
    assert.equal(env.emulator.stats().predictionsCreated, 1, 'nothing else runs before the decision');
    const answer = await handle.approveGate('looks like Mara');
    assert.match(answer.message, /approved for scene s1/);
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    assert.equal((await handle.progress()).gate.status, 'approved');
    await recordHistory('gate-manual', handle.workflow);
  });
});

test('gate rejection after every attempt missed: the generation fails as GateRejected with the reason', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(
      gatedPlan('gate-reject', 0.1, { threshold: 0.95, maxAttempts: 1, onFail: 'await-approval' })
    );
    await waitForProgress(handle, (p) => p.status === 'awaiting_approval');
    await handle.rejectGate('the bottle label is wrong');
    await assert.rejects(handle.result(), isWorkflowFailure(FailureType.GateRejected, /the bottle label is wrong/));
    await recordHistory('gate-reject', handle.workflow);
  });
  assert.equal(env.emulator.stats().predictionsCreated, 1);
});

test('a person approves a gate scene that missed on every attempt: the rest are made as the approved clip was', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(
      gatedPlan('gate-approve-last', 0.2, { threshold: 0.99, maxAttempts: 2, strengthStep: 0.3, reseedOnFail: true })
    );
    const waiting = await waitForProgress(handle, (p) => p.status === 'awaiting_approval');
    assert.deepEqual(
      waiting.gate.scores.map((s) => s.strength),
      [0.2, 0.5]
    );
    await handle.approveGate('close enough');
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    // the approved clip was attempt 2, at 0.5 with the seed after one miss; the next step (0.8) is never used
    assert.deepEqual(
      result.scenes.map((s) => s.strength),
      [0.5, 0.5, 0.5]
    );
    const seeds = new Set(result.scenes.map((s) => s.history.at(-1)!.seed));
    assert.equal(seeds.size, 1, `one seed for every scene: ${[...seeds].join(', ')}`);
    await recordHistory('gate-approve-last', handle.workflow);
  });
});

test('gate failure with onFail fail reports the scores seen', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(
      gatedPlan('gate-fail', 0.1, { threshold: 0.95, maxAttempts: 2, strengthStep: 0.1, onFail: 'fail' })
    );
    await assert.rejects(
      handle.result(),
      isWorkflowFailure(
        FailureType.GateFailed,
        /after 2 attempts \(scores: [\d.]+ at strength 0\.1, [\d.]+ at strength 0\.2\)/
      )
    );
  });
});

test('clip scorer: paid CLIP predictions score the gate, the stronger retry scores higher, and their cost is counted', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(
      gatedPlan('gate-clip', 0.2, {
        scorer: 'clip',
        threshold: 0.99,
        maxAttempts: 2,
        strengthStep: 0.6,
        onFail: 'fail',
      })
    );
    await assert.rejects(handle.result(), isWorkflowFailure(FailureType.GateFailed));
    const { gate, budget } = await handle.progress();
    assert.deepEqual(
      gate.scores.map((s) => s.strength),
      [0.2, 0.8]
    );
    assert.ok(
      gate.scores[1]!.score > gate.scores[0]!.score,
      `scores ${gate.scores.map((s) => s.score).join(' then ')}`
    );
    const scorerRuns = Object.values(env.emulator.stats().createsByFingerprint)
      .filter((entry) => entry.model === 'andreasjansson/clip-features')
      .reduce((n, entry) => n + entry.count, 0);
    assert.equal(scorerRuns, 2);
    // two 2-second attempts at $0.05 a second, and two scorer runs at the T4's rate for the seconds they ran
    // the ledger books each bill in whole micro-dollars, so the expected sum rounds each bill first
    const scorerMicros = env.emulator
      .stats()
      .predictions.filter((p) => p.model === 'andreasjansson/clip-features')
      .reduce((micros, p) => micros + Math.round(p.costUsd * 1e6), 0);
    assert.ok(scorerMicros > 0, 'the scorer ran and was billed');
    assert.equal(budget.spentUsd, (200_000 + scorerMicros) / 1e6);
    await recordHistory('gate-clip', handle.workflow);
  });
});

test('each consistency group is gated by its first scene before the rest are released', async () => {
  const plan = testPlan(id('gate-groups'), 4, { gate: { enabled: true, scorer: 'local', threshold: 0.5 } });
  plan.scenes[0]!.entities = ['mara'];
  plan.scenes[1]!.entities = ['mara'];
  plan.scenes[2]!.entities = ['lumen'];
  plan.scenes[3]!.entities = ['mara', 'lumen'];
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await handle.result();
    const progress = await handle.progress();
    assert.deepEqual(progress.gate.sceneIds, ['s1', 's3']);
    assert.deepEqual(progress.gate.scores.map((s) => s.sceneId).sort(), ['s1', 's3']);
  });
});
