/**
 * A model's error can be any length. Scenegate keeps a bounded part of it in history, the memo
 * and the failure's details, so twenty scenes failing with 150 KB errors still end the run.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { FailureType } from '../../schema/failures';
import { finalStateSchema } from '../../schema/progress';
import { applicationFailureOf } from '../helpers/failures';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
});
after(async () => {
  await env.teardown();
});

/** Rejects once a workflow task of the run keeps failing: a run that can never end, told apart from a slow one. */
async function wedged(handle: WorkflowHandle, done: () => boolean): Promise<never> {
  while (!done()) {
    const { raw } = await handle.describe();
    const attempt = raw.pendingWorkflowTask?.attempt ?? 0;
    if (attempt > 1)
      throw new Error(`a workflow task of ${handle.workflowId} failed ${attempt - 1} time(s) and is retried`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return new Promise<never>(() => undefined);
}

test('twenty scenes failing with 150 KB model errors end the run failed, with its memo', async () => {
  const longError = `E9000 the model broke: ${'x'.repeat(150_000)}`;
  env.emulator.configure('scenegate/ip-adapter-video', {
    render: 'none',
    latency: { kind: 'fixed', ms: 0 },
    failureRate: 1,
    failureError: longError,
  });
  const generationId = `long-errors-${Date.now()}`;
  await env.withWorker(async () => {
    const handle = await env.generations.start(
      testPlan(generationId, 20, { strategy: { mode: 'parallel', concurrency: 10 }, onSceneFailure: 'continue' })
    );
    let finished = false;
    const outcome = handle.result().finally(() => (finished = true));
    const err = await Promise.race([outcome, wedged(handle.workflow, () => finished)]).then(
      () => assert.fail('the generation succeeded'),
      (e: unknown) => e
    );
    const failure = applicationFailureOf(err);
    assert.equal(failure.type, FailureType.SceneFailed);
    assert.ok(failure.message.length < 2_000, `a ${failure.message.length}-character failure message`);
    const memo = finalStateSchema.parse((await handle.workflow.describe()).memo?.finalState);
    assert.equal(memo.status, 'failed');
    assert.equal(memo.scenes.length, 20);
    for (const scene of memo.scenes) {
      assert.equal(scene.status, 'failed');
      assert.ok(scene.history.length >= 1);
      for (const attempt of scene.history) {
        assert.match(attempt.note ?? '', /E9000 the model broke/, 'the start of the error is kept');
        assert.match(attempt.note ?? '', /more characters cut; the whole text is on prediction \w+ at Replicate/);
        assert.ok(attempt.note!.length <= 1_100, `a ${attempt.note!.length}-character note`);
      }
    }
  });
});
