import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test, type TestContext } from 'node:test';
import { projectRoot } from '../../common/paths';
import { runCommand } from '../helpers/run-cli';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

/**
 * The package as an application installs it: `npm pack` (which builds dist/ through `prepare`,
 * unless the build `npm ci` or `npm install` just made is newer than every source), the tarball installed into an empty app without the optional (worker-only) dependencies, a
 * TypeScript script importing `scenegate` type-checked as Node resolves modules, then run: its
 * generation succeeds on scenegate's worker.
 */
const execFileAsync = promisify(execFile);

let env: GenerationEnv;
let workDir: string;
before(async () => {
  env = await useGenerationEnv(import.meta.url);
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-package-'));
});
after(async () => {
  await env.teardown();
  await fs.rm(workDir, { recursive: true, force: true });
});

const appScript = `import {
  DEFAULT_TASK_QUEUE,
  GENERATE_VIDEO_WORKFLOW,
  GenerationClient,
  connectClient,
  location,
  validatePlan,
  type GenerationResult,
  type PlanInput,
  type Progress,
} from 'scenegate';
import fs from 'node:fs';

const input: PlanInput = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8'));
const plan = validatePlan(input);
const generations = new GenerationClient(await connectClient(), process.env.APP_TASK_QUEUE ?? DEFAULT_TASK_QUEUE);
const handle = await generations.start(plan);
const progress: Progress = await handle.progress();
const result: GenerationResult = await handle.result();
console.log(JSON.stringify({ workflowType: GENERATE_VIDEO_WORKFLOW, firstStatus: progress.status, result, video: await location(result.videoPath) }));

`;

/**
 * Compiled, never run: the declarations resolve to real types, not `any`, or the unused
 * @ts-expect-error lines fail the compile.
 */
const typeChecks = `import type { GenerationResult, PlanInput, Progress } from 'scenegate';
import { validatePlan } from 'scenegate';

export function checks(progress: Progress, result: GenerationResult): void {
  // @ts-expect-error a progress has no such field
  void progress.noSuchField;
  // @ts-expect-error a result's cost is a number
  void result.costUsd.toUpperCase();
  // @ts-expect-error a plan is an object
  void (validatePlan satisfies (input: PlanInput) => number);
}
`;

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noUncheckedIndexedAccess: true,
    outDir: 'build',
    skipLibCheck: true,
    // the project's own @types/node: the app installs nothing but the tarball
    typeRoots: [path.join(projectRoot, 'node_modules', '@types')],
    types: ['node'],
  },
  files: ['start.ts', 'type-checks.ts'],
};

/** Where what dist/ is built from lives: the sources, the catalogue, the package's own settings. */
const builtFrom = ['activities', 'client', 'common', 'devenv', 'emulator', 'media', 'schema', 'worker', 'workflows'];

/** True when dist/ holds every entry and none of its files is older than a source it is built from. */
async function distIsCurrent(): Promise<boolean> {
  const dist = path.join(projectRoot, 'dist');
  const built: number[] = [];
  for (const file of ['client.js', 'client.d.ts', 'scenegate.js', 'worker.js', 'workflow-bundle.js']) {
    const stat = await fs.stat(path.join(dist, file)).catch(() => undefined);
    if (!stat) return false;
    built.push(stat.mtimeMs);
  }
  let newest = (await fs.stat(path.join(projectRoot, 'package.json'))).mtimeMs;
  for (const dir of builtFrom) {
    for (const entry of await fs.readdir(path.join(projectRoot, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts')) {
        newest = Math.max(newest, (await fs.stat(path.join(entry.parentPath, entry.name))).mtimeMs);
      }
    }
  }
  return Math.min(...built) > newest;
}

async function sizeOf(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await fs.stat(path.join(entry.parentPath, entry.name))).size;
  }
  return bytes;
}

/** Runs a command in `cwd` to its end; fails the test with its output when it fails. */
async function must(
  t: TestContext,
  what: string,
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {}
): Promise<string> {
  const began = Date.now();
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    t.diagnostic(`${what}: ${((Date.now() - began) / 1000).toFixed(1)} s`);
    return stdout;
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    assert.fail(`${what} failed: ${(err as Error).message}\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

test(
  'an app installs the packed client alone, type-checks against it and starts a generation',
  { timeout: 900_000 },
  async (t) => {
    // the build takes a minute or more on a loaded machine, most of this file's time: it is
    // skipped when dist/ is current, as it is after `npm ci` (CI) or `npm install`
    const current = await distIsCurrent();
    t.diagnostic(current ? 'dist/ is current: packed as built' : 'dist/ is older than a source: rebuilt');
    const packArgs = ['pack', '--json', '--pack-destination', workDir, ...(current ? ['--ignore-scripts'] : [])];
    const packed = JSON.parse(await must(t, 'npm pack', 'npm', packArgs, projectRoot)) as {
      filename: string;
      files: { path: string }[];
    }[];
    const files = packed[0]!.files.map((f) => f.path);
    for (const shipped of [
      'dist/client.js',
      'dist/client.d.ts',
      'dist/scenegate.js',
      'dist/worker.js',
      'dist/workflow-bundle.js',
      'catalogue/models.json',
      'schema/plan.schema.json',
    ]) {
      assert.ok(files.includes(shipped), `the tarball holds ${shipped}`);
    }
    const unshipped = files.filter(
      (f) => /^(test|bench|docs|devenv|workflows|activities)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts'))
    );
    assert.deepEqual(unshipped, [], 'the tarball holds no tests, benches, docs or sources');

    const app = path.join(workDir, 'app');
    await fs.mkdir(app);
    await fs.writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const tarball = path.join(workDir, packed[0]!.filename);
    await must(
      t,
      'npm install',
      'npm',
      ['install', tarball, '--omit=optional', '--no-audit', '--no-fund', '--prefer-offline'],
      app
    );
    const modules = path.join(app, 'node_modules');
    for (const heavy of [
      '@temporalio/worker',
      '@ffmpeg-installer/ffmpeg',
      '@aws-sdk/client-s3',
      'replicate',
      'typescript',
      'tsx',
    ]) {
      await assert.rejects(fs.access(path.join(modules, heavy)), `${heavy} is not installed with the client`);
    }
    t.diagnostic(`the app's node_modules: ${((await sizeOf(modules)) / 1e6).toFixed(1)} MB`);

    await fs.writeFile(path.join(app, 'start.ts'), appScript);
    await fs.writeFile(path.join(app, 'type-checks.ts'), typeChecks);
    await fs.writeFile(path.join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    // one compile checks and emits, with skipLibCheck as `tsc --init` sets it (the Temporal SDK's
    // own declarations import `ms` and @temporalio/worker, which this app does not have)
    await must(t, 'tsc', process.execPath, [tsc, '-p', '.'], app);

    const id = `package-${Date.now()}`;
    await fs.writeFile(path.join(app, 'plan.json'), JSON.stringify(testPlan(id, 2)));
    const storage = path.join(env.storageDir, 'storage');
    const out = await env.withWorker(async () => {
      const run = await runCommand('sh', ['-c', 'cd "$0" && exec node build/start.js plan.json', app], {
        TEMPORAL_ADDRESS: env.temporal.env.address,
        APP_TASK_QUEUE: env.taskQueue,
        SCENEGATE_STORAGE_DIR: storage,
      });
      assert.equal(run.code, 0, `the app failed:\n${run.stdout}\n${run.stderr}`);
      return JSON.parse(run.stdout) as {
        workflowType: string;
        result: { generationId: string; status: string; videoPath: string };
        video: string;
      };
    });
    assert.equal(out.workflowType, 'generateVideo');
    assert.equal(out.result.generationId, id);
    assert.equal(out.result.status, 'succeeded');
    assert.equal(out.video, path.join(storage, out.result.videoPath), 'location() gives the file the worker wrote');
    await fs.access(out.video);

    const bin = await runCommand(path.join(modules, '.bin', 'scenegate'), ['--help']);
    assert.equal(bin.code, 0, `the installed scenegate command failed:\n${bin.stderr}`);
    assert.match(bin.stdout, /^Usage: scenegate/m);
  }
);
