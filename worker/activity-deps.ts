import type { ActivityDeps } from '../activities';
import { referenceFetchTrust } from '../activities/reference-fetch';
import { createReplicateClient, replicateConnection } from '../activities/replicate/client';
import { loadCatalogue } from '../common/catalogue-file';
import { storageFromSettings } from '../common/storage/from-settings';
import { EMULATOR_TOKEN, referenceRoots, type Settings } from '../common/settings';

/**
 * The real dependencies of the activities, from the worker's settings: hosted Replicate when
 * REPLICATE_API_TOKEN is set, else the emulator at REPLICATE_BASE_URL; storage under the
 * state folder; the catalogue the settings name; local references from SCENEGATE_REFERENCE_ROOTS,
 * else `defaultReferenceRoots` (the working folder unless said).
 */
export function activityDepsFromSettings(
  settings: Settings,
  options: { defaultReferenceRoots?: readonly string[] } = {}
): ActivityDeps {
  const connection = replicateConnection({
    token: settings.REPLICATE_API_TOKEN,
    baseUrl: settings.REPLICATE_BASE_URL,
    emulatorToken: EMULATOR_TOKEN,
  });
  return {
    replicate: createReplicateClient(connection),
    connection,
    storage: storageFromSettings(settings),
    catalogue: loadCatalogue(settings),
    referenceRoots: referenceRoots(settings, options.defaultReferenceRoots),
    referenceFetch: referenceFetchTrust(settings),
    ...(settings.SCENEGATE_WEBHOOK_URL ? { webhookUrl: settings.SCENEGATE_WEBHOOK_URL } : {}),
    ...(settings.SCENEGATE_CONSOLE_URL ? { consoleUrl: settings.SCENEGATE_CONSOLE_URL } : {}),
    ...(settings.SCENEGATE_NOTIFY_URL ? { notifyUrl: settings.SCENEGATE_NOTIFY_URL } : {}),
  };
}
