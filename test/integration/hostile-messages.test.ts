import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, type PayloadCodec } from '@temporalio/common';
import { FailureType } from '../../schema/failures';
import { GENERATE_VIDEO_WORKFLOW } from '../../workflows/messages';
import { isWorkflowFailure } from '../helpers/failures';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { waitForProgress } from '../helpers/wait';

let env: GenerationEnv;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
});
after(async () => {
  await env.teardown();
});

const stamp = Date.now();

/** Marks every payload it sends with an encoding no converter knows. */
const unknownEncoding: PayloadCodec = {
  encode: async (payloads) =>
    payloads.map((p) => ({ ...p, metadata: { ...p.metadata, encoding: Buffer.from('binary/unknown') } })),
  decode: async (payloads) => payloads,
};

test('a run started without the CLI under an id that is no generation id fails at once, naming the id', async () => {
  await env.withWorker(async () => {
    for (const workflowId of [`probe/../victim-${stamp}`, `a//b-${stamp}`, '.']) {
      const handle = await env.temporal.env.client.workflow.start(GENERATE_VIDEO_WORKFLOW, {
        workflowId,
        taskQueue: env.taskQueue,
        args: [testPlan(`victim-${stamp}`, 1)],
      });
      await assert.rejects(
        handle.result(),
        isWorkflowFailure(FailureType.InvalidPlan, /^workflow id ".*" \(the generation id\): must be 1 to 100 letters/)
      );
      const { events } = await handle.fetchHistory();
      const scheduled = (events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
      assert.deepEqual(scheduled, [], `${workflowId}: nothing was prepared, paid for or stored`);
    }
  });
  const stored = await fs.readdir(path.join(env.storageDir, 'storage')).catch(() => []);
  assert.deepEqual(stored, [], 'no file reached the storage');
});

test('a signal whose payload cannot be decoded is ignored: the generation still answers, refuses such an update, takes signals and cancels', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(
      testPlan(`undecodable-${stamp}`, 2, { gate: { enabled: true, scorer: 'manual' } })
    );
    const waiting = await waitForProgress(handle, (p) => p.status === 'awaiting_approval');
    // a client whose payloads say `binary/unknown`, as `temporal workflow signal --input-meta encoding=binary/unknown` sends
    const hostile = new Client({
      connection: env.temporal.env.client.connection,
      namespace: env.temporal.env.namespace ?? 'default',
      dataConverter: { payloadCodecs: [unknownEncoding] },
    }).workflow.getHandle(handle.id);
    await hostile.signal('raiseBudget', { amountUsd: 1000 });
    await assert.rejects(hostile.executeUpdate('approveGate', { args: [{}] }), (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, FailureType.UpdateRefused);
      assert.match(err.cause.message, /encoding "binary\/unknown" could not be decoded/);
      return true;
    });
    await handle.raiseBudget(1);
    const raised = await waitForProgress(handle, (p) => p.budget.limitUsd === waiting.budget.limitUsd + 1);
    assert.equal(raised.status, 'awaiting_approval', 'the undecodable raise changed nothing, the next one applied');
    await handle.cancel();
    await assert.rejects(
      handle.result(),
      (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure
    );
    assert.equal((await handle.progress()).status, 'cancelled');
  });
});
