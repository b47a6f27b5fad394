/**
 * The hosted dress rehearsal (issue 22, item 8): every example plan on every catalogue model,
 * against the emulator behaving as hosted Replicate does (`dressRehearsal`: community models fetch
 * without a token, documented fields only, fixture prices) with a token, so the worker works as it
 * does on hosted Replicate, and a bucket, so the CLIP gate gets URLs it can fetch. Each pair either
 * ends with its video, every prediction succeeded and every create valid against the model's
 * published-schema fixture, or is refused at plan time naming the field, with nothing created:
 * never a paid failure. Clips are not rendered and models take no time, so the whole matrix is
 * about orchestration and inputs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import YAML from 'yaml';
import { createActivities } from '../../activities';
import { createReplicateClient, replicateConnection } from '../../activities/replicate/client';
import { GenerationHandle } from '../../client/generation-client';
import { loadCatalogue } from '../../common/catalogue-file';
import { projectRoot } from '../../common/paths';
import { S3Storage } from '../../common/storage/s3';
import { startObjectStore, versitygwTool, type ObjectStore } from '../../devenv/cluster/object-store';
import { findOrBuildGoTool } from '../../devenv/go-tool';
import { validateInput } from '../../emulator/input-validation';
import { emulatedModels } from '../../emulator/models';
import { FailureType } from '../../schema/failures';
import { planSchema, withoutEditorSchema, type PlanInput } from '../../schema/plan';
import { modelProblems } from '../../schema/plan-model-check';
import type { Progress } from '../../schema/progress';
import { GENERATE_VIDEO_WORKFLOW } from '../../workflows/messages';
import type { generateVideo } from '../../workflows';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

const TOKEN = 'r8_dress_rehearsal_token';
/** What a refusal names: a plan field, then a colon. */
const FIELD =
  /^(scenes\[\d+\]\.(entities|durationSec)|aspectRatio|model|keyframe\.model|gate\.scorer|consistencyGroups\[\d+\]\.referenceImages\[\d+\]): /;
/**
 * A pair that runs has this long; it makes no clip and its models take no time (alone a pair takes
 * seconds). Before the early-report fix, a webhook that beat its create's answer left a scene
 * waiting for its first read at the model's typical time plus predictionCheck: minutes.
 */
const RUN_LIMIT_MS = 60_000;

const catalogue = loadCatalogue();
const plansDir = path.join(projectRoot, 'examples', 'plans');
const examples = fs
  .readdirSync(plansDir)
  .sort()
  .map((file) => {
    const text = fs.readFileSync(path.join(plansDir, file), 'utf8');
    return { file, plan: (file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text)) as PlanInput };
  });

let env: GenerationEnv;
let store: ObjectStore;
let dir: string;

before(
  async () => {
    const tool = await findOrBuildGoTool(versitygwTool, { log: (line) => console.error(line) });
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'scenegate-dress-rehearsal-'));
    store = await startObjectStore({ dir: path.join(dir, 's3'), executable: tool.executables.versitygw! });
    // no render, no model time: Seedance's typical two minutes would otherwise be waited for
    const quick = { render: 'none' as const, startingMs: 0, latency: { kind: 'fixed' as const, ms: 0 } };
    env = await useGenerationEnv(import.meta.url, {
      token: TOKEN,
      dressRehearsal: true,
      models: Object.fromEntries(emulatedModels.map((m) => [m.id, quick])),
    });
  },
  { timeout: 30 * 60_000 }
);
after(async () => {
  await env?.teardown();
  await store?.stop();
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

function hostedActivities() {
  const connection = replicateConnection({ token: TOKEN, baseUrl: env.emulator.baseUrl, emulatorToken: 'unused' });
  return createActivities({
    ...env.deps,
    connection,
    replicate: createReplicateClient(connection),
    storage: new S3Storage({
      bucket: store.bucket,
      prefix: 'dress-rehearsal/',
      region: store.region,
      endpoint: store.endpoint,
      credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
      cacheDir: path.join(dir, 'cache'),
    }),
  });
}

/** The example on `model`, under a fresh id, its references as absolute paths (as the CLI resolves them). */
function planOn(example: PlanInput, model: string, n: number): PlanInput {
  return {
    ...example,
    generationId: `rehearsal-${n}-${Date.now()}`,
    model,
    consistencyGroups: example.consistencyGroups.map((g) => ({
      ...g,
      referenceImages: g.referenceImages.map((r) => path.resolve(projectRoot, r)),
    })),
  };
}

/**
 * Waits for the generation's end, answering what a person would: a manual gate is approved and a
 * storyboard released (the plan asks for a person's eye, and the rehearsal has none). Anything else it waits on (money, an
 * operator) is a failure of the rehearsal, reported with what it waited for.
 */
async function drive(handle: GenerationHandle): Promise<void> {
  const started = Date.now();
  let approved = false;
  for (;;) {
    const ended = await handle.endedStatus();
    if (ended) return;
    const progress: Progress = await handle.progress();
    if (progress.gate.status === 'awaiting_approval' && !approved) {
      approved = true;
      await handle.approveGate('dress rehearsal: approved unseen');
    } else if (progress.waitingOn.some((w) => w.kind === 'storyboard')) {
      await handle.releaseStoryboard('dress rehearsal: released unseen');
    } else if (progress.waitingOn.some((w) => w.kind !== 'approval')) {
      throw new Error(`waits on ${progress.waitingFor ?? JSON.stringify(progress.waitingOn)}`);
    }
    if (Date.now() - started > RUN_LIMIT_MS) {
      const scenes = progress.scenes.map(
        (sc) => `${sc.id} ${sc.status} ${sc.lastError ?? ''} ${JSON.stringify(sc.history)}`
      );
      throw new Error(
        `still ${progress.status} after ${RUN_LIMIT_MS} ms: ${progress.waitingFor ?? 'working'}; gate ${progress.gate.status}; ${scenes.join(' | ')}`
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('every example plan on every catalogue model runs or is refused at plan time by field; every create fits its fixture', async () => {
  const replicate = createReplicateClient(
    replicateConnection({ token: TOKEN, baseUrl: env.emulator.baseUrl, emulatorToken: 'unused' })
  );
  const outcomes: string[] = [];
  let n = 0;
  await env.withWorker(async () => {
    for (const { file, plan: example } of examples) {
      for (const model of catalogue.models) {
        const pair = `${file} on ${model.id}`;
        const plan = planOn(example, model.id, ++n);
        const created: string[] = [];
        const stop = env.emulator.onCreated((id) => created.push(id));
        const workflow = await env.temporal.env.client.workflow.start<typeof generateVideo>(GENERATE_VIDEO_WORKFLOW, {
          workflowId: plan.generationId!,
          taskQueue: env.taskQueue,
          // the workflow's own check, as a plan started without the client meets it
          args: [plan],
        });
        const handle = new GenerationHandle(workflow);
        try {
          await drive(handle);
          await handle.result();
          outcomes.push(`${pair}: runs (${created.length} predictions)`);
        } catch (err) {
          if (!(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure)) {
            await handle.cancel().catch(() => undefined);
            assert.fail(`${pair}: ${String(err)}`);
          }
          const failure = err.cause;
          assert.equal(failure.type, FailureType.InvalidPlan, `${pair}: ${failure.message}`);
          assert.match(failure.message, FIELD, pair);
          assert.deepEqual(created, [], `${pair}: refused, yet predictions were created`);
          // the client refuses the model's limits too, before starting anything, with the same words
          const clientSide = modelProblems(planSchema.parse(withoutEditorSchema(plan)), catalogue);
          for (const problem of clientSide) {
            assert.match(problem, FIELD, `${pair}: ${problem}`);
            assert.ok(failure.message.includes(problem), `${pair}: ${problem}`);
          }
          outcomes.push(`${pair}: refused: ${failure.message.slice(0, 100)}`);
        } finally {
          stop();
        }
        for (const id of created) {
          const prediction = await replicate.predictions.get(id);
          assert.equal(prediction.status, 'succeeded', `${pair}: prediction ${id} ${prediction.status}`);
          const served = emulatedModels.find((m) => m.id === prediction.model)!;
          const checked = validateInput(served, prediction.input);
          assert.ok(
            checked.ok,
            `${pair}: ${id} on ${prediction.model}: ${JSON.stringify(!checked.ok && checked.invalid)}`
          );
          assert.equal(
            served.problem?.(checked.input),
            undefined,
            `${pair}: ${id} breaks a rule of ${prediction.model}`
          );
        }
      }
    }
  }, hostedActivities());
  console.error(outcomes.join('\n'));
  assert.equal(outcomes.length, examples.length * catalogue.models.length);
  // hosted-ad is written for the hosted default, and the local model takes most plans
  assert.match(
    outcomes.find((o) => o.startsWith(`hosted-ad.json on ${catalogue.defaults.hosted}:`))!,
    /: runs/
  );
  assert.ok(outcomes.filter((o) => o.includes(': runs')).length >= 3, outcomes.join('\n'));
  assert.equal(env.emulator.stats().byStatus.failed ?? 0, 0, 'no paid failure');
});

test('a create whose answer was lost is found and adopted though no prediction shows its webhook; paid once', async () => {
  const SEEDANCE = 'bytedance/seedance-2.0';
  const before = new Set(env.emulator.stats().predictions.map((p) => p.id));
  env.emulator.configure(SEEDANCE, { dropAfterCreateNext: 1 });
  const base = testPlan(`rehearsal-lost-create-${Date.now()}`, 1, { model: SEEDANCE });
  const plan = { ...base, scenes: base.scenes.map((s) => ({ ...s, durationSec: 4 })) };
  const result = await env.withWorker(async () => (await env.generations.start(plan)).result(), hostedActivities());
  assert.equal(result.status, 'succeeded');
  const made = env.emulator.stats().predictions.filter((p) => !before.has(p.id));
  assert.deepEqual(
    made.map((p) => p.status),
    ['succeeded'],
    'one prediction: the lost one, adopted, not created again'
  );
});
