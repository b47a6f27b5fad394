import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { userCacheDir } from '../common/paths';
import { isExecutable } from './temporal-cli';
import { loadSettings } from '../common/settings';

/** A Go program built from one module version: `go install <package>@<version>` for each package. */
export interface GoToolSpec {
  /** The cache folder's name, e.g. `temporal-server`. */
  name: string;
  /** The module version every package is installed at, e.g. `v1.29.1`. */
  version: string;
  /** Package paths without `@version` (e.g. `go.temporal.io/server/cmd/server`); one executable each, named for the last path element. */
  packages: readonly string[];
}

/** Executables of a {@link GoToolSpec}, found in the cache or built into it. */
export interface GoTool {
  /** `<user cache>/<name>/<version>`. */
  dir: string;
  /** Absolute path of each executable, keyed by its name (`server`, `sql`). */
  executables: Record<string, string>;
  /** Size of each executable in bytes, keyed like `executables`. */
  bytes: Record<string, number>;
  /** Milliseconds this call spent in `go install`; undefined when the cache already held every executable. */
  buildMs?: number;
}

export interface FindGoToolOptions {
  env?: NodeJS.ProcessEnv;
  /** Progress lines: a first build takes minutes, so the user is told. */
  log?: (line: string) => void;
}

/** The tool is neither cached nor buildable; the message says which tool, why, and the end of Go's output. */
export class GoToolBuildError extends Error {
  override readonly name = 'GoToolBuildError';
  constructor(
    readonly tool: string,
    readonly version: string,
    readonly reason: string,
    readonly outputTail: string
  ) {
    super(
      `Could not build ${tool} ${version} with Go: ${reason}.` +
        (outputTail ? ` Last lines of go's output:\n${outputTail}` : '')
    );
  }
}

const exeSuffix = process.platform === 'win32' ? '.exe' : '';
// A lock older than this belongs to a build that died; a Temporal server build on 2 cores takes 10-20 minutes.
const staleLockMs = 45 * 60_000;

/** The command a package builds: its last path element (`server` for `.../cmd/server`). */
function commandName(pkg: string): string {
  return pkg.slice(pkg.lastIndexOf('/') + 1);
}

function executableName(pkg: string): string {
  return `${commandName(pkg)}${exeSuffix}`;
}

/** Where a tool's executables live: one folder per name and version under the user's cache. */
export function goToolDir(spec: GoToolSpec, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userCacheDir(loadSettings(env)), spec.name, spec.version);
}

/**
 * True while some `go install` of these packages into `dir` runs on the machine, whether ours
 * from another process (into a staging folder inside `dir`) or one a person started by hand with
 * GOBIN=`dir`, which takes no lock: its half-written output must not be taken for a finished
 * build. Reads /proc, so only on Linux; processes of other users, whose environment is closed to
 * us, do not count.
 */
async function buildRunningInto(spec: GoToolSpec, dir: string): Promise<boolean> {
  let pids: string[];
  try {
    pids = (await fs.readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  } catch {
    return false;
  }
  const wanted = spec.packages.map((pkg) => `${pkg}@${spec.version}`);
  for (const pid of pids) {
    const argv = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (!argv.includes('install') || !argv.some((arg) => wanted.includes(arg))) continue;
    const environ = (await fs.readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')).split('\0');
    const gobin = environ.find((entry) => entry.startsWith('GOBIN='))?.slice('GOBIN='.length);
    const target = gobin && path.resolve(gobin);
    if (target && (target === dir || target.startsWith(dir + path.sep))) return true;
  }
  return false;
}

async function cached(spec: GoToolSpec, dir: string): Promise<GoTool | undefined> {
  const executables: Record<string, string> = {};
  const bytes: Record<string, number> = {};
  for (const pkg of spec.packages) {
    const name = commandName(pkg);
    const file = path.join(dir, executableName(pkg));
    if (!(await isExecutable(file))) return undefined;
    executables[name] = file;
    bytes[name] = (await fs.stat(file)).size;
  }
  return { dir, executables, bytes };
}

function goInstall(spec: GoToolSpec, gobin: string, env: NodeJS.ProcessEnv, log: (line: string) => void) {
  return new Promise<void>((resolve, reject) => {
    const args = ['install', '-ldflags=-s -w', ...spec.packages.map((pkg) => `${pkg}@${spec.version}`)];
    const child = spawn('go', args, {
      env: { ...env, GOBIN: gobin, GOFLAGS: '', CGO_ENABLED: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log(`  go: ${line}`);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const lastLines = (): string => tail.trim().split('\n').slice(-15).join('\n');
    child.on('error', (err) =>
      reject(
        new GoToolBuildError(
          spec.name,
          spec.version,
          `\`go\` could not be run (${err.message}); install Go 1.25 or newer`,
          ''
        )
      )
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new GoToolBuildError(spec.name, spec.version, `go ${args.join(' ')} exited with ${code}`, lastLines()))
    );
  });
}

/**
 * Returns the tool's executables from the user's cache, building them there with `go install`
 * the first time on a machine. Callers in several processes share one build: whoever takes the
 * folder's lock builds, the others wait for it, and anyone also waits for a `go install` of the
 * same packages started by hand.
 *
 * @throws GoToolBuildError when Go is missing or the build fails.
 */
export async function findOrBuildGoTool(spec: GoToolSpec, options: FindGoToolOptions = {}): Promise<GoTool> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = goToolDir(spec, env);
  await fs.mkdir(dir, { recursive: true });
  const lock = path.join(dir, '.build-lock');
  let told = false;
  for (;;) {
    if (await buildRunningInto(spec, dir)) {
      if (!told) log(`Waiting for a running go install of ${spec.name} ${spec.version} to finish...`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 5000));
      continue;
    }
    const found = await cached(spec, dir);
    if (found) return found;
    try {
      await fs.mkdir(lock);
      break;
    } catch {
      const lockedAt = await fs.stat(lock).then(
        (s) => s.mtimeMs,
        () => Date.now()
      );
      if (Date.now() - lockedAt > staleLockMs) await fs.rm(lock, { recursive: true, force: true });
      if (!told) log(`Waiting for another process building ${spec.name} ${spec.version} (lock ${lock})...`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
  try {
    const found = await cached(spec, dir);
    if (found) return found;
    // a build that dies half-way must not leave a truncated executable where the cache looks
    const staging = await fs.mkdtemp(path.join(dir, 'staging-'));
    log(
      `Building ${spec.name} ${spec.version} with Go into ${dir} (the first build takes minutes; later runs reuse it)...`
    );
    const began = Date.now();
    try {
      await goInstall(spec, staging, env, log);
      for (const pkg of spec.packages) {
        await fs.rename(path.join(staging, executableName(pkg)), path.join(dir, executableName(pkg)));
      }
    } finally {
      await fs.rm(staging, { recursive: true, force: true });
    }
    const built = await cached(spec, dir);
    if (!built)
      throw new GoToolBuildError(spec.name, spec.version, `go install succeeded but ${dir} lacks an executable`, '');
    const buildMs = Date.now() - began;
    const sizes = Object.entries(built.bytes).map(([name, size]) => `${name} ${(size / 1e6).toFixed(0)} MB`);
    log(`Built ${spec.name} ${spec.version} in ${(buildMs / 1000).toFixed(0)} s (${sizes.join(', ')}).`);
    return { ...built, buildMs };
  } finally {
    await fs.rm(lock, { recursive: true, force: true });
  }
}
