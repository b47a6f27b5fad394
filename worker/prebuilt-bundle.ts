import fs from 'node:fs';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

/** The workflow bundle `npm run build` writes beside the compiled worker. */
export const prebuiltBundleName = 'workflow-bundle.js';

/**
 * The bundle built with the worker that runs, when there is one: a compiled worker in dist/
 * finds it beside itself and starts without webpack; the TypeScript sources have none and bundle.
 */
export function prebuiltBundle(dir: string): WorkerOptions['workflowBundle'] | undefined {
  const codePath = path.join(dir, prebuiltBundleName);
  return fs.existsSync(codePath) ? { codePath } : undefined;
}
