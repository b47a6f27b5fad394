/**
 * The worker's telemetry, from outside: `worker/main.ts` in its own process with
 * SCENEGATE_METRICS_ADDRESS, an OTLP endpoint (this file's receiver) and its own webhook
 * receiver runs a gated generation; its Prometheus endpoint then counts the predictions, the
 * dollars by model, the gate verdict and the scene times, one trace holds the generation's
 * workflow, its activities and each Replicate create tagged with its prediction id, and every
 * prediction's end reached the workflow as a signal from the worker's receiver.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { projectRoot, stateDir as scenegateStateDir } from '../../common/paths';
import { loadSettings } from '../../common/settings';
import { freePort } from '../../devenv/free-port';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { useTracedWorkflowBundle } from '../helpers/temporal-env';
import { waitUntil } from '../helpers/wait';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}

/** An OTLP/HTTP receiver (the JSON encoding the exporter sends): keeps every span. */
class OtlpReceiver {
  readonly spans: OtlpSpan[] = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const r of body.resourceSpans) for (const s of r.scopeSpans) this.spans.push(...s.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  url = '';
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const attribute = (span: OtlpSpan, key: string): string | undefined =>
  span.attributes?.find((a) => a.key === key)?.value.stringValue;

let env: GenerationEnv;
let worker: ChildProcess | undefined;
let stateDir: string;
const otlp = new OtlpReceiver();
let metricsUrl: string;
const artifacts = path.join(scenegateStateDir(loadSettings()), 'test');

before(async () => {
  env = await useGenerationEnv(import.meta.url);
  await otlp.listen();
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-telemetry-'));
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  metricsUrl = `http://${metricsAddress}/metrics`;
  const webhookPort = await freePort();
  worker = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'worker', 'main.ts')], {
    cwd: projectRoot,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.temporal.env.address,
      SCENEGATE_TASK_QUEUE: env.taskQueue,
      SCENEGATE_STATE_DIR: stateDir,
      SCENEGATE_REFERENCE_ROOTS: projectRoot,
      REPLICATE_BASE_URL: env.emulator.baseUrl,
      REPLICATE_API_TOKEN: '',
      SCENEGATE_WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/replicate-webhook`,
      SCENEGATE_WEBHOOK_PORT: String(webhookPort),
      SCENEGATE_METRICS_ADDRESS: metricsAddress,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      SCENEGATE_WORKFLOW_BUNDLE: (await useTracedWorkflowBundle()).codePath,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    worker!.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker polling')) resolve();
    });
    worker!.once('exit', (code) => reject(new Error(`the worker exited with ${code}`)));
  });
});
after(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker!.once('exit', resolve));
  }
  await otlp.close();
  await env.teardown();
  await fs.rm(stateDir, { recursive: true, force: true });
});

test('metrics and one trace per generation, from the worker as deployed', async () => {
  const plan = testPlan(`telemetry-${Date.now()}`, 3, { gate: { enabled: true, scorer: 'local', threshold: 0.5 } });
  const handle = await env.generations.start(plan);
  const result = await handle.result();
  assert.equal(result.status, 'succeeded');
  const predictionIds = result.scenes.flatMap((s) => s.history.map((a) => a.predictionId!));
  // each end came as a signal from the worker's own webhook receiver
  const settled = ((await handle.workflow.fetchHistory()).events ?? []).filter(
    (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'predictionSettled'
  );
  assert.ok(
    settled.length >= predictionIds.length,
    `${settled.length} predictionSettled signals for ${predictionIds.length} predictions`
  );

  // Prometheus: the series this worker exported for the generation it ran
  const metrics = await (await fetch(metricsUrl)).text();
  // kept as a test artifact: the names docs/operators.md's queries use
  await fs.writeFile(path.join(artifacts, 'worker-metrics.txt'), metrics);
  const series = (name: string, labels: Record<string, string> = {}): number => {
    const lines = metrics
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    return lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  };
  const model = { model: 'scenegate/ip-adapter-video' };
  assert.equal(series('scenegate_predictions_created_total', model), predictionIds.length, metrics);
  assert.equal(series('scenegate_predictions_booked_total', { ...model, outcome: 'succeeded' }), predictionIds.length);
  assert.ok(Math.abs(series('scenegate_spent_usd_sum', model) - result.costUsd) < 1e-6, 'dollars spent by model');
  assert.ok(series('scenegate_reserved_usd_sum', model) >= result.costUsd, 'reserved before spent');
  assert.equal(series('scenegate_gate_verdicts_total', { verdict: 'pass' }), 1);
  assert.equal(series('scenegate_scene_seconds_count', model), 3);
  assert.ok(series('temporal_workflow_completed_total') >= 1, "the SDK's own metrics are there too");

  // OTLP: the workflow, its activities and the Replicate creates, in one trace
  const creates = await waitUntil('a span for every Replicate create', () => {
    const found = otlp.spans.filter((s) => s.name === 'replicate.predictions.create');
    return found.length === predictionIds.length ? found : undefined;
  });
  assert.deepEqual(creates.map((s) => attribute(s, 'replicate.prediction_id')).sort(), [...predictionIds].sort());
  assert.ok(
    creates.every((s) => attribute(s, 'scenegate.generation') === plan.generationId),
    'each create names its generation'
  );
  assert.deepEqual(creates.map((s) => attribute(s, 'scenegate.call')).sort(), ['s1#1', 's2#1', 's3#1']);
  const run = await waitUntil('the workflow span', () =>
    otlp.spans.find((s) => s.name === 'RunWorkflow:generateVideo' && creates.some((c) => c.traceId === s.traceId))
  );
  const trace = otlp.spans.filter((s) => s.traceId === run.traceId);
  assert.ok(new Set(creates.map((s) => s.traceId)).size === 1, 'every create in the one trace');
  for (const name of ['RunActivity:createPrediction', 'RunActivity:collectClip', 'RunActivity:assembleVideo']) {
    assert.ok(
      trace.some((s) => s.name === name),
      `${name} in the trace: ${[...new Set(trace.map((s) => s.name))].join(', ')}`
    );
  }
});

test('the worker as deployed stops cleanly on SIGTERM: receiver, connection and tracing closed, exit code 0', async () => {
  const exited = new Promise<number | null>((resolve) => worker!.once('exit', (code) => resolve(code)));
  worker!.kill('SIGTERM');
  assert.equal(await exited, 0);
});
