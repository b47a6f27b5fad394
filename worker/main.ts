/**
 * `npm run worker`: scenegate's workers for the task queue in SCENEGATE_TASK_QUEUE, connected as
 * the TEMPORAL_* settings (or a TOML profile) say, with the webhook receiver when
 * SCENEGATE_WEBHOOK_PORT is set. Stops cleanly on SIGINT/SIGTERM. Compiled (`npm run build`,
 * then `node dist/worker.js`), it runs the workflow bundle built with it.
 */
import { Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { runMain } from '../common/run-main';
import { loadSettings } from '../common/settings';
import { connectClient } from '../common/temporal-connection';
import { activityDepsFromSettings } from './activity-deps';
import { connectWorker } from './connection';
import { createWorkers } from './create-workers';
import { prebuiltBundle } from './prebuilt-bundle';
import { startWebhookReceiver } from './webhook-receiver';

await runMain(async () => {
  const settings = loadSettings();
  const { connection, namespace } = await connectWorker();
  const deps = activityDepsFromSettings(settings);
  const workers = await createWorkers({
    connection,
    namespace,
    taskQueue: settings.SCENEGATE_TASK_QUEUE,
    activities: createActivities(deps),
    createsPerMinute: settings.SCENEGATE_REPLICATE_CREATES_PER_MINUTE,
    maxConcurrentActivityTaskExecutions: settings.SCENEGATE_MAX_CONCURRENT_ACTIVITIES,
    workflowBundle: prebuiltBundle(import.meta.dirname),
  });
  const logger = Runtime.instance().logger;
  const receiver =
    settings.SCENEGATE_WEBHOOK_PORT === undefined
      ? undefined
      : await startWebhookReceiver({
          client: await connectClient(),
          fetchSecret: async () => (await deps.replicate.webhooks.default.secret.get()).key,
          host: settings.SCENEGATE_WEBHOOK_HOST,
          port: settings.SCENEGATE_WEBHOOK_PORT,
          log: (level, message, fields) => logger[level](message, fields),
        });
  console.log(
    `scenegate worker polling task queue "${settings.SCENEGATE_TASK_QUEUE}" in namespace "${namespace}"` +
      (receiver ? `; webhooks received at ${receiver.url}` : '')
  );
  await workers.run();
  await receiver?.close();
  await connection.close();
});
