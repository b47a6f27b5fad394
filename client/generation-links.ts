import { runningConsole } from '../common/console-record';
import { runningDevServer, sameAddress } from '../common/dev-server-record';
import { consolePageUrl, workflowUiUrl } from '../common/links';
import type { Settings } from '../common/settings';

/** The address and Web UI of `temporal server start-dev` run with its default ports. */
const DEV_SERVER_DEFAULT = { address: '127.0.0.1:7233', uiUrl: 'http://localhost:8233' };

/** Where a person can look at a generation. */
export interface GenerationLinks {
  /** Its page in the review console, or how to start one when none is known. */
  console: string;
  /** Its run in the Temporal Web UI, when this process knows where that is. */
  webUi?: string;
}

/**
 * The Temporal Web UI: TEMPORAL_UI_URL; else, when the client talks to the dev server `npm run dev`
 * started for this checkout, that server's UI; else, when it talks to the dev server's default
 * address, the dev server's default UI. A server elsewhere has a UI only its operators know of,
 * so none is guessed.
 */
export function webUiUrl(
  temporal: { address: string },
  settings: Pick<Settings, 'TEMPORAL_UI_URL' | 'SCENEGATE_STATE_DIR'>
): string | undefined {
  const devServer = runningDevServer(settings);
  return (
    settings.TEMPORAL_UI_URL ??
    (devServer && sameAddress(devServer.address, temporal.address) ? devServer.uiUrl : undefined) ??
    (sameAddress(temporal.address, DEV_SERVER_DEFAULT.address) ? DEV_SERVER_DEFAULT.uiUrl : undefined)
  );
}

/**
 * A generation's console page and Web UI run (see `webUiUrl`). The console: SCENEGATE_CONSOLE_URL,
 * else the one running for this checkout wherever it listens (common/console-record.ts); a port
 * is never guessed, since another project's console may hold it.
 */
export function generationLinks(
  generationId: string,
  temporal: { address: string; namespace: string },
  settings: Pick<Settings, 'TEMPORAL_UI_URL' | 'SCENEGATE_CONSOLE_URL' | 'SCENEGATE_STATE_DIR'>
): GenerationLinks {
  const uiUrl = webUiUrl(temporal, settings);
  const consoleUrl = settings.SCENEGATE_CONSOLE_URL ?? runningConsole(settings)?.url;
  return {
    console: consoleUrl
      ? consolePageUrl(consoleUrl, generationId)
      : 'none running for this checkout (start one: scenegate console)',
    ...(uiUrl ? { webUi: workflowUiUrl(uiUrl, temporal.namespace, generationId) } : {}),
  };
}
