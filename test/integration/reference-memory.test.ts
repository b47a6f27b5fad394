/**
 * A worker's memory while a plan points at a 300 MB reference image sent without a length (issue
 * 20, row 3): the worker runs in its own process, whose peak resident size Linux keeps (VmHWM).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { projectRoot } from '../../common/paths';
import { FailureType } from '../../schema/failures';
import { applicationFailureOf } from '../helpers/failures';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { chunkedBody, startReferenceServer, type ReferenceServer } from '../helpers/reference-server';
import { waitUntil } from '../helpers/wait';

const MB = 1024 * 1024;

let env: GenerationEnv;
let server: ReferenceServer;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
  const mara = await fs.readFile(path.join(projectRoot, 'examples', 'references', 'mara.png'));
  server = await startReferenceServer({ '/big.png': chunkedBody(mara.subarray(0, 16), 300 * MB, () => undefined) });
});
after(async () => {
  await server?.close();
  await env?.teardown();
});

/** The process's peak resident set so far, in bytes. */
async function peakRss(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  assert.ok(kb, 'no VmHWM in /proc/<pid>/status');
  return Number(kb) * 1024;
}

test(
  'row 3: a worker stays under 300 MB resident while a plan points at a 300 MB reference without a length',
  { skip: process.platform !== 'linux' && 'reads /proc' },
  async (t) => {
    const worker = env.workerProcess(
      // the test server, trusted as an internal asset host would be
      { SCENEGATE_REFERENCE_ALLOWED_ADDRESSES: '127.0.0.1', SCENEGATE_REFERENCE_CA_FILE: server.certFile },
      'pipe'
    );
    try {
      let ready = false;
      worker.stdout!.on('data', (chunk: Buffer) => (ready ||= chunk.toString().includes('worker ready')));
      await waitUntil('the worker to start', () => ready);
      const before = await peakRss(worker.pid!);
      const plan = testPlan(`ref-memory-${Date.now()}`, 1);
      plan.consistencyGroups = [
        { id: 'mara', kind: 'character', referenceImages: [`${server.origin}/big.png`], strength: 0.7 },
      ];
      plan.scenes = [{ id: 's1', prompt: 'Mara waves', durationSec: 2, entities: ['mara'] }];
      const handle = await env.generations.start(plan);
      const failure = await handle.result().then(
        () => assert.fail('a 300 MB reference was accepted'),
        (err: unknown) => applicationFailureOf(err)
      );
      const peak = await peakRss(worker.pid!);
      t.diagnostic(`worker peak resident: ${Math.round(before / MB)} MB before, ${Math.round(peak / MB)} MB after`);
      assert.ok(
        peak < 300 * MB,
        `peak resident ${Math.round(peak / MB)} MB (${Math.round(before / MB)} MB before the generation)`
      );
      assert.equal(failure.type, FailureType.InvalidReference, failure.message);
      assert.match(failure.message, /is larger than the limit of 10485760 bytes$/);
    } finally {
      worker.kill('SIGKILL');
    }
  }
);
