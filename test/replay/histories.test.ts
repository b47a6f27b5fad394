import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { before, test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { historiesDir } from '../helpers/histories';
import { useWorkflowBundle } from '../helpers/temporal-env';

let codePath: string;
before(async () => {
  codePath = (await useWorkflowBundle()).codePath;
});

interface HistoryJson {
  events: { workflowExecutionStartedEventAttributes?: { input?: { payloads?: { data?: string }[] } } }[];
}

/** A fixture with the workflow id it ran under: the plan's generationId, which the workflow checks. */
async function fixture(file: string): Promise<{ workflowId: string; history: HistoryJson }> {
  const history = JSON.parse(await fs.readFile(file, 'utf8')) as HistoryJson;
  const data = history.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data ?? '';
  const plan = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { generationId: string };
  return { workflowId: plan.generationId, history };
}

/**
 * Every recorded generation (each strategy; gate pass, stronger retry, manual approval,
 * rejection, CLIP scoring; budget pause, partial raise, timeout; cancellation with predictions
 * in flight; fail-fast; ops retry and skip; webhooks, a lost webhook, a create whose answer was
 * lost; an account out of credit) is replayed against today's workflow code: a change that
 * would make a running generation take different decisions fails here. After an intentional
 * change, patch the workflow (`patched()`) so old runs keep replaying, record with
 * `npm run record-histories` (it overwrites the unprefixed files), keep the new recordings under
 * the patch's name (`record-every-change-*.json`: recorded with every patch up to that one) and
 * restore the old files.
 */
test('recorded generation histories replay without non-determinism', async () => {
  const files = (await fs.readdir(historiesDir)).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length >= 12, `expected the recorded fixtures, found ${files.length}`);
  const histories = await Promise.all(files.map(async (file) => fixture(path.join(historiesDir, file))));
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { codePath }, replayName: 'scenegate-fixtures' },
    histories
  )) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.equal(replayed, files.length);
  assert.deepEqual(failures, []);
});
