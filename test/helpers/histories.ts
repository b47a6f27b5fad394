import fs from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { projectRoot } from '../../common/paths';

export const historiesDir = path.join(projectRoot, 'test', 'fixtures', 'histories');

/**
 * With SCENEGATE_RECORD_HISTORIES=1, keeps a finished run's history as a replay fixture
 * (`npm run record-histories`). The replay test then checks that today's workflow code still
 * makes the same decisions from it.
 */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (!process.env.SCENEGATE_RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  await fs.mkdir(historiesDir, { recursive: true });
  await fs.writeFile(path.join(historiesDir, `${name}.json`), historyToJSON(history) + '\n');
}
