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
