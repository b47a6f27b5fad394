import fs from 'node:fs';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

/** The workflow bundles `npm run build` writes beside the compiled worker: plain, and with tracing's interceptors. */
export const prebuiltBundleNames = { plain: 'workflow-bundle.js', traced: 'workflow-bundle-traced.js' } as const;

/**
 * The bundle to run: the one SCENEGATE_WORKFLOW_BUNDLE names, else the one built beside the
 * worker that runs (a compiled worker in dist/ starts without webpack), else none and the worker
 * bundles at start (the TypeScript sources).
 */
export function prebuiltBundle(
  dir: string,
  options: { traced: boolean; configured?: string }
): WorkerOptions['workflowBundle'] | undefined {
  if (options.configured) return { codePath: path.resolve(options.configured) };
  const codePath = path.join(dir, prebuiltBundleNames[options.traced ? 'traced' : 'plain']);
  return fs.existsSync(codePath) ? { codePath } : undefined;
}
