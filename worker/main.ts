/**
 * `npm run worker`: scenegate's workers for the task queue in SCENEGATE_TASK_QUEUE, connected as
 * the TEMPORAL_* settings (or a TOML profile) say, with the webhook receiver when
 * SCENEGATE_WEBHOOK_PORT is set, Prometheus metrics on SCENEGATE_METRICS_ADDRESS and traces to
 * the OTLP collector in OTEL_EXPORTER_OTLP_ENDPOINT. Stops cleanly on SIGINT/SIGTERM. Compiled
 * (`npm run build`, then `node dist/worker.js`), it runs the workflow bundle built with it.
 */
import { Client } from '@temporalio/client';
import { createActivities } from '../activities';
import { runMain } from '../common/run-main';
import { loadSettings } from '../common/settings';
import { activityDepsFromSettings } from './activity-deps';
import { connectWorker } from './connection';
import { createWorkers } from './create-workers';
import { prebuiltBundle } from './prebuilt-bundle';
import { installRuntime } from './runtime';
import { startTracing } from './tracing';
import { startWebhookReceiver } from './webhook-receiver';
import { warnOfSchemaDrift } from './schema-drift';

await runMain(async () => {
  const settings = loadSettings();
  const runtime = installRuntime(settings);
  const tracing = await startTracing(settings);
  const { connection, namespace } = await connectWorker();
  const deps = activityDepsFromSettings(settings);
  const workers = await createWorkers({
    connection,
    namespace,
    taskQueue: settings.SCENEGATE_TASK_QUEUE,
    activities: createActivities(deps),
    createsPerMinute: settings.SCENEGATE_REPLICATE_CREATES_PER_MINUTE,
    maxConcurrentActivityTaskExecutions: settings.SCENEGATE_MAX_CONCURRENT_ACTIVITIES,
    workflowBundle: prebuiltBundle(import.meta.dirname, {
      traced: tracing !== undefined,
      configured: settings.SCENEGATE_WORKFLOW_BUNDLE,
    }),
    ...(tracing ? { plugins: [tracing.plugin] } : {}),
  });
  const receiver =
    settings.SCENEGATE_WEBHOOK_PORT === undefined
      ? undefined
      : await startWebhookReceiver({
          // the worker's own native connection: signals go out on the Rust core's threads, not
          // through grpc-js on the thread that runs activities (an eighth of its time in a burst of webhooks)
          client: new Client({ connection, namespace }),
          fetchSecret: async () => (await deps.replicate.webhooks.default.secret.get()).key,
          host: settings.SCENEGATE_WEBHOOK_HOST,
          port: settings.SCENEGATE_WEBHOOK_PORT,
          log: (level, message, fields) => runtime.logger[level](message, fields),
        });
  console.log(
    `scenegate worker polling task queue "${settings.SCENEGATE_TASK_QUEUE}" in namespace "${namespace}"` +
      (receiver ? `; webhooks received at ${receiver.url}` : '') +
      (settings.SCENEGATE_METRICS_ADDRESS ? `; metrics at http://${settings.SCENEGATE_METRICS_ADDRESS}/metrics` : '') +
      (tracing ? '; traces to the OTLP collector' : '')
  );
  if (deps.connection.hosted) void warnOfSchemaDrift(deps, (message, fields) => runtime.logger.warn(message, fields));
  try {
    await workers.run();
  } finally {
    // a worker that failed must not leave the receiver's port open and the process running
    await receiver?.close();
    await connection.close();
    await tracing?.shutdown();
  }
});
