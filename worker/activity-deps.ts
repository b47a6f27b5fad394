import path from 'node:path';
import type { ActivityDeps } from '../activities';
import { loadCatalogue } from '../activities/catalogue';
import { createReplicateClient, replicateConnection } from '../activities/replicate/client';
import { LocalStorage } from '../activities/storage';
import { stateDir } from '../devenv/paths';
import { EMULATOR_DEFAULT_TOKEN } from '../emulator';
import { referenceRoots, type Settings } from '../schema/settings';

/**
 * The real dependencies of the activities, from the worker's settings: hosted Replicate when
 * REPLICATE_API_TOKEN is set, else the emulator at REPLICATE_BASE_URL; storage under the
 * state folder; the catalogue shipped in the repo.
 */
export function activityDepsFromSettings(settings: Settings, env: NodeJS.ProcessEnv = process.env): ActivityDeps {
  const connection = replicateConnection({
    token: settings.REPLICATE_API_TOKEN,
    baseUrl: settings.REPLICATE_BASE_URL,
    emulatorToken: EMULATOR_DEFAULT_TOKEN,
  });
  return {
    replicate: createReplicateClient(connection),
    connection,
    storage: new LocalStorage(env.SCENEGATE_STORAGE_DIR ?? path.join(stateDir(env), 'storage')),
    catalogue: loadCatalogue(),
    referenceRoots: referenceRoots(settings),
  };
}
