import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startDevServer } from '../../devenv/dev-server';
import { writeWorkflowBundle } from '../../worker/bundle';
import { writeTestWorkflowBundle } from './test-bundle';
import { testEnvVars } from './test-env-vars';

// expected activity failures log at WARN with stacks and would bury the test report
Runtime.install({ logger: new DefaultLogger('ERROR') });

export interface TestTemporal {
  env: TestWorkflowEnvironment;
  workflowBundle: { codePath: string };
  /** Stops what this file started (the shared server belongs to test/run.ts). */
  teardown(): Promise<void>;
}

/**
 * Attaches to the dev server and bundle `npm test` prepared. A file run on its own
 * (`node --import tsx --test test/integration/x.test.ts`) starts its own server and bundle.
 */
export async function useTestTemporal(): Promise<TestTemporal> {
  const address = process.env[testEnvVars.address];
  const bundlePath = process.env[testEnvVars.bundle];
  if (address && bundlePath) {
    const env = await TestWorkflowEnvironment.createFromExistingServer({
      address,
      namespace: process.env[testEnvVars.namespace] ?? 'default',
    });
    return { env, workflowBundle: { codePath: bundlePath }, teardown: () => env.teardown() };
  }
  const server = await startDevServer({ headless: true, log: (line) => console.error(line) });
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  const workflowBundle = await writeTestWorkflowBundle(path.join(os.tmpdir(), `scenegate-bundle-${process.pid}.js`));
  return {
    env,
    workflowBundle,
    teardown: async () => {
      await env.teardown();
      await server.stop();
    },
  };
}

/** The workflow bundle `npm test` built, or a fresh one when this file runs alone. */
export async function useWorkflowBundle(): Promise<{ codePath: string }> {
  const bundlePath = process.env[testEnvVars.bundle];
  if (bundlePath) return { codePath: bundlePath };
  return writeTestWorkflowBundle(path.join(os.tmpdir(), `scenegate-bundle-${process.pid}.js`));
}

/** The workflow bundle with tracing's interceptors `npm test` built, or a fresh one when this file runs alone. */
export async function useTracedWorkflowBundle(): Promise<{ codePath: string }> {
  const bundlePath = process.env[testEnvVars.tracedBundle];
  if (bundlePath) return { codePath: bundlePath };
  return writeWorkflowBundle(path.join(os.tmpdir(), `scenegate-traced-bundle-${process.pid}.js`), { traced: true });
}

/** A task queue of its own for a test file, so files running side by side never share work. */
export function taskQueueFor(fileUrl: string): string {
  return `test-${path.basename(new URL(fileUrl).pathname, '.test.ts')}-${crypto.randomUUID().slice(0, 8)}`;
}
