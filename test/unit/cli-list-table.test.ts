import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listTable } from '../../client/list-table';

test('list has a header and aligned columns, numbers aligned right', () => {
  const row = (id: string, status: string, done: number, total: number, costUsd: number) => ({
    id,
    status,
    executionStatus: 'RUNNING',
    done,
    total,
    costUsd,
    startTime: new Date('2026-12-01T05:36:39.123Z'),
  });
  const lines = listTable([
    row('gen-a', 'generating', 2, 12, 1.5),
    row('product-ad-long-id', 'succeeded', 6, 6, 12.25),
  ]);
  assert.deepEqual(lines, [
    'ID                  STATUS      SCENES    COST  STARTED',
    'gen-a               generating    2/12   $1.50  2026-12-01T05:36:39Z',
    'product-ad-long-id  succeeded      6/6  $12.25  2026-12-01T05:36:39Z',
  ]);
});
