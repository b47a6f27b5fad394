import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { userCacheDir } from '../common/paths';
import { loadSettings } from '../common/settings';

/**
 * The CLI release we build. v1.5.1 is the newest release whose go.mod has no `replace`
 * directive, which `go install pkg@version` requires.
 */
const TEMPORAL_CLI_VERSION = 'v1.5.1';
const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
const exeName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** No way of getting a Temporal CLI worked; the message lists every way tried and why it failed. */
export class TemporalCliNotFoundError extends Error {
  override readonly name = 'TemporalCliNotFoundError';
  constructor(readonly attempts: readonly string[]) {
    super(
      `No Temporal CLI could be found or built. Tried: ${attempts.join('; ')}. ` +
        `Set TEMPORAL_CLI_PATH to a temporal executable, put one on PATH, or install Go 1.25+ so it can be built.`
    );
  }
}

export interface FindTemporalCliOptions {
  env?: NodeJS.ProcessEnv;
  /** Progress lines (a first build takes minutes, so the user is told). */
  log?: (line: string) => void;
}

/** A file this user may run. */
export async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, exeName);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Where the built CLI lives: one folder per version under the user's cache. */
export function cachedCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userCacheDir(loadSettings(env)), 'temporal-cli', TEMPORAL_CLI_VERSION, exeName);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      if (onLine) for (const line of text.split('\n')) if (line.trim()) onLine(line);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(tail)
        : reject(new Error(`${cmd} exited with ${code}: ${tail.trim().split('\n').slice(-3).join(' | ')}`))
    );
  });
}

/**
 * Builds the CLI with `go install` into the cache. Concurrent callers (parallel test runs,
 * `npm start` beside `npm test`) share one build: whoever takes the lock builds, the
 * others wait for the binary to appear.
 */
async function buildWithGo(target: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string> {
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const lock = path.join(dir, '.build-lock');
  const started = Date.now();
  for (;;) {
    try {
      await fs.mkdir(lock);
      break;
    } catch {
      const age =
        Date.now() -
        (await fs.stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now()
        ));
      // a lock older than 30 minutes belongs to a build that died
      if (age > 30 * 60_000) await fs.rm(lock, { recursive: true, force: true });
      if (await isExecutable(target)) return target;
      if (Date.now() - started > 30 * 60_000) throw new Error(`timed out waiting for another build (lock ${lock})`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  try {
    if (await isExecutable(target)) return target;
    const staging = await fs.mkdtemp(path.join(dir, 'staging-'));
    log(
      `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} (a first build takes a few minutes; later runs reuse it)...`
    );
    const began = Date.now();
    await run(
      'go',
      ['install', '-trimpath', '-ldflags=-s -w', `${CLI_MODULE}@${TEMPORAL_CLI_VERSION}`],
      { ...env, GOBIN: staging, GOFLAGS: '', CGO_ENABLED: '0' },
      (line) => log(`  go: ${line}`)
    );
    await fs.rename(path.join(staging, exeName), target);
    await fs.rm(staging, { recursive: true, force: true });
    const { size } = await fs.stat(target);
    log(`Built ${target} in ${((Date.now() - began) / 1000).toFixed(0)} s (${(size / 1e6).toFixed(0)} MB).`);
    return target;
  } finally {
    await fs.rm(lock, { recursive: true, force: true });
  }
}

/** Last resort: the SDK's own download of the CLI, which needs internet access. */
async function downloadWithSdk(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string> {
  const downloadDir = path.join(userCacheDir(loadSettings(env)), 'temporal-cli', 'sdk-download');
  await fs.mkdir(downloadDir, { recursive: true });
  log(`Downloading the Temporal CLI through the Temporal SDK into ${downloadDir}...`);
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  // The SDK only downloads as part of starting a server; start one briefly, then keep the binary.
  const testEnv = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'cached-download', downloadDir, ttl: '3650d' } },
  });
  await testEnv.teardown();
  for (const entry of await fs.readdir(downloadDir)) {
    const file = path.join(downloadDir, entry);
    if (entry.startsWith('temporal') && !entry.endsWith('.downloading') && (await isExecutable(file))) return file;
  }
  throw new Error(`the download finished but no executable appeared in ${downloadDir}`);
}

/**
 * Returns a path to a `temporal` CLI executable, trying in order: `TEMPORAL_CLI_PATH`;
 * `temporal` on PATH; a cached build under the user's cache folder; building it with
 * `go install` into that cache; the Temporal SDK's download.
 *
 * @throws TemporalCliNotFoundError naming every way tried when none worked.
 */
export async function findTemporalCli(options: FindTemporalCliOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const attempts: string[] = [];

  const explicit = loadSettings(env).TEMPORAL_CLI_PATH;
  if (explicit) {
    if (await isExecutable(explicit)) return explicit;
    // an explicit path that does not work is a mistake worth stopping for, not a reason to build
    throw new TemporalCliNotFoundError([`TEMPORAL_CLI_PATH=${explicit} is not an executable file`]);
  }
  attempts.push('TEMPORAL_CLI_PATH is not set');

  const onPath = await findOnPath(env);
  if (onPath) return onPath;
  attempts.push('no `temporal` on PATH');

  const cached = cachedCliPath(env);
  if (await isExecutable(cached)) return cached;
  attempts.push(`no cached build at ${cached}`);

  try {
    await run('go', ['version'], env);
    try {
      return await buildWithGo(cached, env, log);
    } catch (err) {
      attempts.push(`go install ${CLI_MODULE}@${TEMPORAL_CLI_VERSION} failed (${(err as Error).message})`);
    }
  } catch {
    attempts.push('`go` is not installed, so the CLI cannot be built');
  }

  try {
    return await downloadWithSdk(env, log);
  } catch (err) {
    attempts.push(`the Temporal SDK's download failed (${(err as Error).message.split('\n')[0]})`);
  }
  throw new TemporalCliNotFoundError(attempts);
}
