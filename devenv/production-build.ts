import fs from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../common/paths';
import { writeWorkflowBundle } from '../worker/bundle';
import { prebuiltBundleNames } from '../worker/prebuilt-bundle';

/** Where `npm run build` puts the production build: one level below the root, as the sources are. */
export const distDir = path.join(projectRoot, 'dist');

/**
 * The production build: the worker, the CLI and the emulator compiled to JavaScript (esbuild, one file each,
 * packages left to node_modules) and the workflow bundle prebuilt beside them, so a production
 * worker starts without tsx and without running webpack. Returns each file's size.
 */
export async function buildProduction(): Promise<{ file: string; kb: number }[]> {
  await fs.rm(distDir, { recursive: true, force: true });
  await build({
    entryPoints: { worker: 'worker/main.ts', scenegate: 'client/cli.ts', emulator: 'emulator/main.ts' },
    absWorkingDir: projectRoot,
    outdir: distDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  await writeWorkflowBundle(path.join(distDir, prebuiltBundleNames.plain), { production: true });
  await writeWorkflowBundle(path.join(distDir, prebuiltBundleNames.traced), { production: true, traced: true });
  const files = (await fs.readdir(distDir)).filter((f) => !f.endsWith('.map'));
  return Promise.all(
    files.map(async (file) => ({ file, kb: Math.round((await fs.stat(path.join(distDir, file))).size / 1024) }))
  );
}

/**
 * The environment a production worker runs with (the Dockerfile sets the same): V8's young
 * generation capped at 1 MB per semi-space instead of 16, and glibc held to two malloc arenas
 * instead of one per core-SDK thread. On this project's 2-core bench they take an idle worker
 * from about 150 to about 135 MB and its peak with 200 predictions from about 245 to about
 * 230 MB, with no change in how fast the clips come in (bench/README.md).
 */
export const productionWorkerEnv = { NODE_OPTIONS: '--max-semi-space-size=1', MALLOC_ARENA_MAX: '2' } as const;
