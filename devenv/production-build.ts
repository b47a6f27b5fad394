import { spawn } from 'node:child_process';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from '../common/paths';
import { childEnv } from './child-env';
import { writeWorkflowBundle } from '../worker/bundle';
import { prebuiltBundleNames } from '../worker/prebuilt-bundle';

/** Where `npm run build` puts the production build: one level below the root, as the sources are. */
export const distDir = path.join(projectRoot, 'dist');

/**
 * The production build: the worker, the CLI, the emulator and the client package entry compiled to
 * JavaScript (esbuild, one file each, packages left to node_modules), the client's type
 * declarations, and the workflow bundle prebuilt beside them, so a production worker and an
 * installed package start without tsx and without running webpack. Returns each file's size.
 */
export async function buildProduction(): Promise<{ file: string; kb: number }[]> {
  await fs.rm(distDir, { recursive: true, force: true });
  await esbuild({
    // the vision scorer runs in its own process (media/vision/scorer-client.ts finds it beside the worker)
    entryPoints: {
      worker: 'worker/main.ts',
      scenegate: 'client/cli.ts',
      temporal: 'devenv/temporal-passthrough.ts',
      emulator: 'emulator/main.ts',
      client: 'client/index.ts',
      'vision-scorer': 'media/vision/scorer-main.ts',
    },
    flags: [
      `--outdir=${distDir}`,
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      '--packages=external',
      '--sourcemap=linked',
      '--log-level=warning',
    ],
  });
  // side by side: `npm install` runs this build (`prepare`), so its time is every install's
  await Promise.all([
    clientDeclarations(),
    writeWorkflowBundle(path.join(distDir, prebuiltBundleNames.plain), { production: true }),
    writeWorkflowBundle(path.join(distDir, prebuiltBundleNames.traced), { production: true, traced: true }),
  ]);
  const files = (await fs.readdir(distDir)).filter((f) => !f.endsWith('.map') && f !== 'types');
  return Promise.all(
    files.map(async (file) => ({ file, kb: Math.round((await fs.stat(path.join(distDir, file))).size / 1024) }))
  );
}

/**
 * The client entry's type declarations (tsconfig.client.json) in dist/types/, with dist/client.d.ts
 * beside dist/client.js pointing at them. TypeScript writes relative imports as the sources spell
 * them, without an extension; an app that resolves modules as Node does (`nodenext`) needs the
 * `.js`, so it is added.
 */
async function clientDeclarations(): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', 'tsconfig.client.json']);
  const typesDir = path.join(distDir, 'types');
  for (const entry of await fs.readdir(typesDir, { recursive: true })) {
    if (!entry.endsWith('.d.ts')) continue;
    const file = path.join(typesDir, entry);
    const text = await fs.readFile(file, 'utf8');
    const withExtensions = text.replace(/(from |import\()'(\.{1,2}\/[^']*)'/g, (_, lead: string, spec: string) => {
      const target = path.resolve(path.dirname(file), spec);
      const asFile = `${target}.d.ts`;
      return `${lead}'${spec}${fsSync.existsSync(asFile) ? '.js' : '/index.js'}'`;
    });
    if (withExtensions !== text) await fs.writeFile(file, withExtensions);
  }
  await fs.writeFile(path.join(distDir, 'client.d.ts'), "export * from './types/client/index.js';\n");
}

/**
 * Runs esbuild's own executable, not its JS API: the API starts esbuild with this process's
 * whole environment, secrets included, and takes no other.
 */
async function esbuild(options: { entryPoints: Record<string, string>; flags: string[] }): Promise<void> {
  const executable = createRequire(import.meta.url).resolve('esbuild/bin/esbuild');
  const entries = Object.entries(options.entryPoints).map(([name, file]) => `${name}=${file}`);
  await run(executable, [...entries, ...options.flags]);
}

/** Runs a build tool in the project root with the children's environment (no secrets). */
async function run(executable: string, args: string[]): Promise<void> {
  const child = spawn(executable, args, {
    cwd: projectRoot,
    env: childEnv(),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`${path.basename(executable)} ${args[0] ?? ''} exited with code ${code}`);
}

/**
 * The environment a production worker runs with (the Dockerfile sets the same): V8's young
 * generation capped at 1 MB per semi-space instead of 16, and glibc held to two malloc arenas
 * instead of one per core-SDK thread. On this project's 2-core bench they take an idle worker
 * from about 150 to about 135 MB and its peak with 200 predictions from about 245 to about
 * 230 MB, with no change in how fast the clips come in (bench/README.md).
 */
export const productionWorkerEnv = { NODE_OPTIONS: '--max-semi-space-size=1', MALLOC_ARENA_MAX: '2' } as const;
