/**
 * The cluster `npm run cluster` and the scale-out test run on: a real Temporal server on
 * PostgreSQL and versitygw, each in a temp folder, each a real binary. Slow the first time on a
 * machine (the Go builds), so `npm test` leaves it out; `npm run test:cluster` runs it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { findOrBuildClusterTools, startCluster, type Cluster } from '../../devenv/cluster/cluster';
import { objectStoreClient } from '../../devenv/cluster/object-store';
import { stopOnSignals } from '../../devenv/cluster/processes';
import { isListening } from '../../devenv/free-port';
import { generationStatusKey, searchAttributeKeys } from '../../schema/search-attributes';
import { waitUntil } from '../helpers/wait';

const log = (line: string): void => console.error(`# ${line}`);

let dir: string;
let cluster: Cluster;
let connection: Connection;
let client: Client;

// building the Temporal server takes 10+ minutes on 2 cores the first time: far past one test's timeout
before(
  async () => {
    await findOrBuildClusterTools({ log });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-cluster-'));
    cluster = await startCluster({ dir, log });
    // an interrupted run (Ctrl-C, the runner's SIGTERM) still stops PostgreSQL and the server in order
    stopOnSignals(cluster.stop, log);
    log(`cluster started in ${JSON.stringify(cluster.startMs)} ms`);
    connection = await Connection.connect({ address: cluster.temporal.address });
    client = new Client({ connection, namespace: cluster.temporal.namespace });
  },
  { timeout: 30 * 60_000 }
);

after(async () => {
  try {
    await connection?.close();
    await cluster?.stop();
  } finally {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a client connects and the default namespace exists', async () => {
  const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: 'default' });
  assert.equal(namespaceInfo?.name, 'default');
});

test("scenegate's search attributes are registered with their types", async () => {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
  for (const key of searchAttributeKeys) {
    assert.equal(customAttributes?.[key.name], encodeSearchAttributeIndexedValueType(key.type), key.name);
  }
});

test('an object PUT then GET round-trips through versitygw and lands in its folder', async () => {
  const s3 = objectStoreClient(cluster.s3);
  try {
    const key = `cluster-infra/${randomUUID()}.bin`;
    const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    await s3.send(new PutObjectCommand({ Bucket: cluster.s3.bucket, Key: key, Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket: cluster.s3.bucket, Key: key }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
    // the posix backend keeps each object as a plain file: the storage a person can inspect
    assert.deepEqual(await fs.readFile(path.join(dir, 's3', 'data', cluster.s3.bucket, key)), body);
  } finally {
    s3.destroy();
  }
});

test('a workflow started before a SIGKILL of the server is still there, and listed, after the restart', async () => {
  // no worker polls this queue: the workflow waits for its first task, which is all this test needs
  const workflowId = `cluster-infra-${randomUUID()}`;
  const status = `cluster-infra-${randomUUID()}`;
  await client.workflow.start('clusterInfraProbe', {
    workflowId,
    taskQueue: `cluster-infra-${randomUUID()}`,
    typedSearchAttributes: [{ key: generationStatusKey, value: status }],
  });
  const query = `${generationStatusKey.name} = '${status}'`;

  const [host, port] = cluster.temporal.address.split(':') as [string, string];
  await cluster.temporal.kill();
  assert.equal(await isListening(host, Number(port)), false, 'the frontend still answers after SIGKILL');
  await cluster.temporal.restart();

  const description = await client.workflow.getHandle(workflowId).describe();
  assert.equal(description.status.name, 'RUNNING');
  // visibility is written asynchronously, after the start; poll until the listing catches up
  const listed = await waitUntil('the workflow in a visibility query', async () => {
    const ids: string[] = [];
    for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
    return ids.length > 0 && ids;
  });
  assert.deepEqual(listed, [workflowId]);
  await client.workflow.getHandle(workflowId).terminate('cluster-infra test done');
});

test('stop() ends PostgreSQL, the Temporal server and versitygw', async () => {
  await cluster.stop();
  const [host, port] = cluster.temporal.address.split(':') as [string, string];
  const s3 = new URL(cluster.s3.endpoint);
  assert.equal(await isListening(host, Number(port)), false, 'Temporal still listens');
  assert.equal(await isListening(s3.hostname, Number(s3.port)), false, 'versitygw still listens');
  assert.equal(await isListening(cluster.postgres.host, cluster.postgres.port), false, 'PostgreSQL still listens');
});
