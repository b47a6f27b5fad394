/**
 * A scenegate worker in its own process, so a test can kill it with SIGKILL mid-activity.
 * Settings come from the environment the test passes.
 */
import os from 'node:os';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { loadCatalogue } from '../../common/catalogue-file';
import { createReplicateClient, replicateConnection } from '../../activities/replicate/client';
import { LocalStorage } from '../../activities/storage';
import { projectRoot } from '../../common/paths';
import { createWorker } from '../../worker/create-worker';

const env = process.env;
const connection = replicateConnection({ baseUrl: env.REPLICATE_BASE_URL, emulatorToken: env.EMULATOR_TOKEN ?? '' });
const nativeConnection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS! });
const worker = await createWorker({
  connection: nativeConnection,
  namespace: 'default',
  taskQueue: env.TASK_QUEUE!,
  workflowBundle: { codePath: env.BUNDLE_PATH! },
  activities: createActivities({
    replicate: createReplicateClient(connection),
    connection,
    storage: new LocalStorage(env.STORAGE_DIR!),
    catalogue: loadCatalogue(),
    referenceRoots: [projectRoot, os.tmpdir()],
    polling: { initialMs: 100, maxMs: 300 },
  }),
  overrides: { maxHeartbeatThrottleInterval: '200ms', defaultHeartbeatThrottleInterval: '200ms' },
});
console.log('worker ready');
await worker.run();
