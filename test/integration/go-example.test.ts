import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { projectRoot } from '../../common/paths';
import { runCommand } from '../helpers/run-cli';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

/**
 * examples/go starts a generation as a program in another language would: the Temporal Go SDK,
 * the workflow type by name, the plan as JSON (with the `$schema` key an editor wrote), the
 * progress query, the approveGate update and the result, against scenegate's own worker.
 */
let env: GenerationEnv;
let workDir: string;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-go-'));
});
after(async () => {
  await env.teardown();
  await fs.rm(workDir, { recursive: true, force: true });
});

test('the Go example starts a generation, approves its gate and prints the result', { timeout: 600_000 }, async () => {
  const program = path.join(workDir, 'start-generation');
  const build = await runCommand('go', ['-C', path.join(projectRoot, 'examples', 'go'), 'build', '-o', program, '.']);
  assert.equal(build.code, 0, `go build failed:\n${build.stderr}`);

  const id = `go-example-${Date.now()}`;
  const planFile = path.join(workDir, 'plan.json');
  const plan = { $schema: '../../schema/plan.schema.json', ...testPlan(id, 2, { gate: { scorer: 'manual' } }) };
  await fs.writeFile(planFile, JSON.stringify(plan));

  const run = await env.withWorker(() =>
    runCommand(program, [planFile], {
      TEMPORAL_ADDRESS: env.temporal.env.address,
      TEMPORAL_NAMESPACE: env.temporal.env.namespace ?? 'default',
      SCENEGATE_TASK_QUEUE: env.taskQueue,
    })
  );
  assert.equal(run.code, 0, `the Go example failed:\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, new RegExp(`^started ${id} \\(run `, 'm'));
  assert.match(run.stdout, /^progress: awaiting_approval, /m, 'it saw the gate wait for a person');
  assert.match(run.stdout, /^approveGate: /m);
  const printed = /^result: ([\s\S]*)$/m.exec(run.stdout)?.[1];
  assert.ok(printed, `no result in:\n${run.stdout}`);
  const result = JSON.parse(printed) as { generationId: string; status: string; videoPath: string };
  assert.equal(result.generationId, id);
  assert.equal(result.status, 'succeeded');
  await fs.access(await env.deps.storage.localFile(result.videoPath));
});
