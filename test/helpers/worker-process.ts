/**
 * scenegate's workers in their own process, so a test can kill them with SIGKILL at any moment.
 * Settings come from the environment the test passes; webhooks go to the test's own receiver.
 */
import os from 'node:os';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { referenceFetchTrust } from '../../activities/reference-fetch';
import { createReplicateClient, replicateConnection } from '../../activities/replicate/client';
import { LocalStorage } from '../../common/storage/local';
import { loadCatalogue } from '../../common/catalogue-file';
import { projectRoot } from '../../common/paths';
import { loadSettings } from '../../common/settings';
import { createWorkers } from '../../worker/create-workers';

const env = process.env;
const connection = replicateConnection({ baseUrl: env.REPLICATE_BASE_URL, emulatorToken: env.EMULATOR_TOKEN ?? '' });
const nativeConnection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS! });
const workers = await createWorkers({
  connection: nativeConnection,
  namespace: 'default',
  taskQueue: env.TASK_QUEUE!,
  workflowBundle: { codePath: env.BUNDLE_PATH! },
  createsPerMinute: 6000,
  activities: createActivities({
    replicate: createReplicateClient(connection),
    connection,
    storage: new LocalStorage(env.STORAGE_DIR!),
    catalogue: loadCatalogue(),
    referenceRoots: [projectRoot, os.tmpdir()],
    referenceFetch: referenceFetchTrust(loadSettings()),
    reconcileSkewMs: 5_000,
    ...(env.WEBHOOK_URL ? { webhookUrl: env.WEBHOOK_URL } : {}),
  }),
  overrides: {
    maxHeartbeatThrottleInterval: '200ms',
    defaultHeartbeatThrottleInterval: '200ms',
    ...(env.STICKY_TIMEOUT ? { stickyQueueScheduleToStartTimeout: env.STICKY_TIMEOUT } : {}),
  },
});
if (env.WORKER_STANDBY) {
  // loaded and connected, but not polling: the test writes a line when this worker is to take over
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.pause();
}
console.log('worker ready');
await workers.run();
