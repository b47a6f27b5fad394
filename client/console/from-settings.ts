import type { Client } from '@temporalio/client';
import { loadCatalogue } from '../../common/catalogue-file';
import { recordConsole } from '../../common/console-record';
import { storageFromSettings } from '../../common/storage/from-settings';
import type { Settings } from '../../common/settings';
import { GenerationClient } from '../generation-client';
import { startConsole, type ConsoleServer } from './serve';

/**
 * The review console as the settings describe it: on SCENEGATE_CONSOLE_HOST:PORT, asking for
 * SCENEGATE_CONSOLE_TOKEN when set, showing the storage folder's clips, linking to the Web UI
 * (TEMPORAL_UI_URL, or the one a local dev server runs). Recorded in the state folder while it
 * runs (common/console-record.ts).
 */
export async function startConsoleFromSettings(
  client: Client,
  settings: Settings,
  options: { uiUrl?: string; port?: number } = {}
): Promise<ConsoleServer> {
  const uiUrl = settings.TEMPORAL_UI_URL ?? options.uiUrl;
  const server = await startConsole({
    generations: new GenerationClient(client, settings.SCENEGATE_TASK_QUEUE),
    storage: storageFromSettings(settings),
    catalogue: loadCatalogue(settings),
    ...(uiUrl ? { webUi: { url: uiUrl, namespace: client.options.namespace } } : {}),
    ...(settings.SCENEGATE_CONSOLE_TOKEN ? { token: settings.SCENEGATE_CONSOLE_TOKEN } : {}),
    ...(settings.SCENEGATE_CONSOLE_URL ? { publicUrl: settings.SCENEGATE_CONSOLE_URL } : {}),
    host: settings.SCENEGATE_CONSOLE_HOST,
    port: options.port ?? settings.SCENEGATE_CONSOLE_PORT,
  });
  // the CLI's links name the console this checkout really runs (generation-links.ts)
  const forget = recordConsole(settings, { pid: process.pid, url: settings.SCENEGATE_CONSOLE_URL ?? server.url });
  return {
    ...server,
    close: async () => {
      forget();
      await server.close();
    },
  };
}
