import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { searchAttributeKeys } from '../../schema/search-attributes';
import { Worker } from '@temporalio/worker';
import { harnessStateQuery, proceedSignal, setLabelUpdate } from '../workflows/harness-messages';
import { taskQueueFor, useTestTemporal, type TestTemporal } from '../helpers/temporal-env';

let temporal: TestTemporal;
const taskQueue = taskQueueFor(import.meta.url);

before(async () => {
  temporal = await useTestTemporal();
});
after(async () => {
  await temporal.teardown();
});

async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: temporal.env.nativeConnection,
    namespace: temporal.env.namespace ?? 'default',
    taskQueue,
    workflowBundle: temporal.workflowBundle,
  });
  return worker.runUntil(fn);
}

test('the server has scenegate search attributes registered', async () => {
  const { customAttributes } = await temporal.env.connection.operatorService.listSearchAttributes({
    namespace: temporal.env.namespace ?? 'default',
  });
  for (const key of searchAttributeKeys) assert.ok(customAttributes?.[key.name] !== undefined, `${key.name} missing`);
});

test('a workflow answers a query, accepts a valid update, refuses an invalid one and ends on a signal', async () => {
  await withWorker(async () => {
    const handle = await temporal.env.client.workflow.start('harnessWorkflow', {
      taskQueue,
      workflowId: `harness-${taskQueue}-signal`,
      args: ['first'],
    });
    assert.deepEqual(await handle.query(harnessStateQuery), { label: 'first', proceeded: false });

    const updated = await handle.executeUpdate(setLabelUpdate, { args: ['second'] });
    assert.equal(updated.label, 'second');

    await assert.rejects(handle.executeUpdate(setLabelUpdate, { args: [''] }), (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError);
      assert.match(String((err.cause as Error | undefined)?.message), /label must be 1 to 80 characters/);
      return true;
    });

    await handle.signal(proceedSignal);
    assert.deepEqual(await handle.result(), { label: 'second', proceeded: true });
    // the refused update never reached history: only the accepted one did
    const history = await handle.fetchHistory();
    const accepted = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    assert.equal(accepted.length, 1);
  });
});

test('a cancelled workflow ends as cancelled', async () => {
  await withWorker(async () => {
    const handle = await temporal.env.client.workflow.start('harnessWorkflow', {
      taskQueue,
      workflowId: `harness-${taskQueue}-cancel`,
      args: ['to-cancel'],
    });
    await handle.query(harnessStateQuery);
    await handle.cancel();
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof CancelledFailure);
      return true;
    });
    assert.equal((await handle.describe()).status.name, 'CANCELLED');
  });
});
