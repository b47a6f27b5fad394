/**
 * `npm run worker`: a scenegate worker for the task queue in SCENEGATE_TASK_QUEUE, connected as
 * the TEMPORAL_* settings (or a TOML profile) say. Stops cleanly on SIGINT/SIGTERM.
 */
import { createActivities } from '../activities';
import { loadSettings } from '../common/settings';
import { activityDepsFromSettings } from './activity-deps';
import { connectWorker } from './connection';
import { createWorker } from './create-worker';
import { runMain } from '../common/run-main';

await runMain(async () => {
  const settings = loadSettings();
  const { connection, namespace } = await connectWorker();
  const worker = await createWorker({
    connection,
    namespace,
    taskQueue: settings.SCENEGATE_TASK_QUEUE,
    activities: createActivities(activityDepsFromSettings(settings)),
    maxConcurrentActivityTaskExecutions: settings.SCENEGATE_MAX_CONCURRENT_ACTIVITIES,
  });
  console.log(`scenegate worker polling task queue "${settings.SCENEGATE_TASK_QUEUE}" in namespace "${namespace}"`);
  await worker.run();
  await connection.close();
});
