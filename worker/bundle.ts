import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { projectRoot } from '../common/paths';

/** The workflow interceptors of Temporal's OpenTelemetry plugin, which a traced bundle holds. */
export const tracingInterceptors = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'
);

/** The module the worker bundles: every workflow scenegate registers. */
export const workflowsPath = path.join(projectRoot, 'workflows', 'index.ts');

/** The payload converter of the workflows: an undecodable signal is refused, not fatal to the run. */
export const payloadConverterPath = path.join(projectRoot, 'workflows', 'payload-converter.ts');

/**
 * Bundles the workflow code once and writes it to `outFile`, so tests and workers
 * reuse one bundle instead of running webpack on every Worker.create.
 */
export async function writeWorkflowBundle(
  outFile: string,
  options: { production?: boolean; traced?: boolean; workflowsPath?: string } = {}
): Promise<{ codePath: string }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: options.workflowsPath ?? workflowsPath,
    payloadConverterPath,
    logger: quietLogger,
    // a bundle runs only the interceptors built into it: tracing needs its own
    ...(options.traced ? { workflowInterceptorModules: [tracingInterceptors] } : {}),
    // the worker keeps the bundle's source map in memory and maps a stack for every promise the
    // workflows create: line-level mappings without the sources' text are a fraction of the
    // full map, and a workflow's stack still names its file, function and line
    ...(options.production
      ? { webpackConfigHook: (config) => ({ ...config, devtool: 'inline-nosources-cheap-module-source-map' }) }
      : {}),
  });
  await fs.mkdir(path.dirname(outFile), { recursive: true });
  await fs.writeFile(outFile, code);
  return { codePath: outFile };
}

const noop = (): void => undefined;
// webpack's progress lines would drown the test summary
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error };
