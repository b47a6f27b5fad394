/**
 * docker-compose.yml, checked without Docker (none runs here): what it sets is what scenegate
 * reads, what it runs is what `npm run build` builds, its one-shot commands do what they say
 * when a shell runs them, and each service waits for what it uses. Each check is a function
 * returning the problems it finds: the real file must have none, and a file broken on purpose
 * must give the problem, so no check passes by never looking.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parse } from 'yaml';
import { projectRoot } from '../../common/paths';
import { loadSettings, settingsSchema } from '../../common/settings';
import { searchAttributeKeys } from '../../schema/search-attributes';
import { productionWorkerEnv } from '../../devenv/production-build';

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  network_mode?: string;
  ports?: string[];
}
interface Compose {
  services: Record<string, Service>;
}

const composeText = fs.readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8');
const load = (text: string): Compose => parse(text, { merge: true }) as Compose;
const copy = (): Compose => structuredClone(load(composeText));

/** The connection variables @temporalio/envconfig reads (besides TEMPORAL_GRPC_META_*). */
const envconfigVariables = new Set([
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
  'TEMPORAL_CODEC_ENDPOINT',
  'TEMPORAL_CODEC_AUTH',
]);

/** What a person running `docker compose up` from the repository root has set. */
const hostEnv = { PWD: projectRoot, SCENEGATE_CONSOLE_TOKEN: 'a-console-token-of-32-characters' };

/** Compose's interpolation: `$$`, `${X}`, `${X:-default}`, `${X-default}`, `${X:?error}` (throws when unset). */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}/g,
    (whole, name?: string, colon?: string, op?: string, arg?: string) => {
      if (whole === '$$') return '$';
      const set = env[name!];
      const missing = set === undefined || (colon === ':' && set === '');
      if (op === '-') return missing ? arg! : set!;
      if (op === '?' && missing) throw new Error(`compose would refuse to start: ${arg}`);
      return set ?? '';
    }
  );
}

const environmentOf = (service: Service, env: Record<string, string> = hostEnv): Record<string, string> => {
  const raw = service.environment ?? {};
  const entries = Array.isArray(raw)
    ? raw.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const)
    : Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)] as const);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v, env)]));
};

const argv = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : value.split(/\s+/);

const dependenciesOf = (service: Service): Record<string, string> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((name) => [name, 'service_started']))
    : Object.fromEntries(
        Object.entries(service.depends_on ?? {}).map(([name, d]) => [name, d.condition ?? 'service_started'])
      );

/** Every service `name` waits for, directly or through others (a shared network counts). */
function waitsFor(compose: Compose, name: string, seen = new Set<string>()): Set<string> {
  const service = compose.services[name];
  const direct = Object.keys(dependenciesOf(service ?? {}));
  const network = /^service:(.+)$/.exec(service?.network_mode ?? '')?.[1];
  for (const next of network ? [...direct, network] : direct) {
    if (seen.has(next)) continue;
    seen.add(next);
    waitsFor(compose, next, seen);
  }
  return seen;
}

/** The services running this repository's image: scenegate's processes. */
const scenegateServices = (compose: Compose): [string, Service][] =>
  Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

/** The entry points devenv/production-build.ts compiles into dist/, by name (`worker` → dist/worker.js). */
function builtEntryPoints(): Set<string> {
  const source = fs.readFileSync(path.join(projectRoot, 'devenv', 'production-build.ts'), 'utf8');
  const block = /entryPoints:\s*\{([^}]*)\}/.exec(source)?.[1];
  assert.ok(block, 'devenv/production-build.ts names its entry points in one entryPoints: { ... } object');
  return new Set([...block.matchAll(/(\w+):\s*'[^']+'/g)].map((m) => m[1]!));
}

/** Runs a one-shot service's shell command as its container would, with stubs recording each call of `tools`. */
function runShell(service: Service, stubs: Record<string, string>): string[][] {
  const entry = argv(service.entrypoint);
  assert.deepEqual(entry, ['/bin/sh', '-c'], 'a one-shot service runs its command with /bin/sh -c');
  const script = interpolate(argv(service.command).join(' '), hostEnv);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scenegate-compose-'));
  const calls = path.join(dir, 'calls');
  try {
    for (const [tool, body] of Object.entries(stubs)) {
      const file = path.join(dir, tool);
      fs.writeFileSync(file, `#!/bin/sh\nprintf '%s\\037' "$@" >> "${calls}"; echo >> "${calls}"\n${body}\n`);
      fs.chmodSync(file, 0o755);
    }
    const run = spawnSync('/bin/sh', ['-c', script], {
      env: { PATH: `${dir}:${process.env.PATH}`, STATE: dir },
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(run.status, 0, `the command failed: ${run.stderr}`);
    if (!fs.existsSync(calls)) return [];
    return fs
      .readFileSync(calls, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\x1f').filter(Boolean));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const flag = (args: string[], name: string): string | undefined => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const hostOf = (address: string): string => new URL(address.includes('://') ? address : `tcp://${address}`).hostname;

// ---- the checks

/** Every SCENEGATE_*, REPLICATE_* and TEMPORAL_* variable set on a scenegate service is one it reads, with a valid value. */
function settingsProblems(compose: Compose): string[] {
  const known = new Set(Object.keys(settingsSchema.shape));
  const problems: string[] = [];
  for (const [name, service] of scenegateServices(compose)) {
    const env = environmentOf(service);
    for (const variable of Object.keys(env).filter((v) => /^(SCENEGATE|REPLICATE|TEMPORAL)_/.test(v))) {
      if (!known.has(variable) && !envconfigVariables.has(variable) && !variable.startsWith('TEMPORAL_GRPC_META_'))
        problems.push(`${name}: ${variable} is not a setting scenegate reads`);
    }
    try {
      loadSettings(env);
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/** Every scenegate service runs a built entry point with node (no tsx, no sources), with flags it accepts. */
function commandProblems(compose: Compose): string[] {
  const built = builtEntryPoints();
  const problems: string[] = [];
  for (const [name, service] of scenegateServices(compose)) {
    const args = argv(service.command);
    const entry = /^dist\/(\w+)\.js$/.exec(args[1] ?? '')?.[1];
    if (args[0] !== 'node' || !entry) problems.push(`${name}: runs "${args.join(' ')}", not node dist/<entry>.js`);
    else if (!built.has(entry)) problems.push(`${name}: dist/${entry}.js is not built by npm run build`);
  }
  const emulator = argv(compose.services.emulator?.command);
  // the flags emulator/main.ts declares, parsed as it parses them
  const source = fs.readFileSync(path.join(projectRoot, 'emulator', 'main.ts'), 'utf8');
  const options: ParseArgsConfig['options'] = Object.fromEntries(
    [...source.matchAll(/'?([\w-]+)'?: \{ type: '(string|boolean)'/g)].map((m) => [
      m[1]!,
      { type: m[2] as 'string' | 'boolean' },
    ])
  );
  try {
    parseArgs({ args: emulator.slice(2), options, strict: true, allowPositionals: false });
  } catch (err) {
    problems.push(`emulator: ${(err as Error).message}`);
  }
  return problems;
}

/** The search attributes registered are exactly the workflow's, each in one complete command. */
function searchAttributeProblems(compose: Compose): string[] {
  const service = compose.services['search-attributes'];
  if (!service) return ['no search-attributes service'];
  const calls = runShell(service, { temporal: 'exit 0' }).filter(
    (c) => c.slice(0, 3).join(' ') === 'operator search-attribute create'
  );
  const registered = calls.map((c) => `${flag(c, '--name')}:${flag(c, '--type')}`).sort();
  const typeNames: Record<string, string> = {
    KEYWORD: 'Keyword',
    INT: 'Int',
    DOUBLE: 'Double',
    BOOL: 'Bool',
    TEXT: 'Text',
  };
  const wanted = searchAttributeKeys.map((k) => `${k.name}:${typeNames[k.type]}`).sort();
  const problems: string[] = [];
  if (registered.join() !== wanted.join())
    problems.push(`registers ${registered.join(', ') || 'nothing'}; the workflow writes ${wanted.join(', ')}`);
  const namespace = environmentOf(compose.services.worker ?? {}).TEMPORAL_NAMESPACE ?? 'default';
  for (const c of calls) {
    if (flag(c, '--namespace') !== namespace)
      problems.push(`registers in namespace ${flag(c, '--namespace')}, the worker uses ${namespace}`);
  }
  return problems;
}

/** The bucket the services use is created, on the endpoint they use, with the keys the store accepts. */
function bucketProblems(compose: Compose): string[] {
  const worker = environmentOf(compose.services.worker ?? {});
  const bucket = worker.SCENEGATE_S3_BUCKET;
  const endpoint = worker.SCENEGATE_S3_ENDPOINT;
  if (!bucket || !endpoint) return ['the worker has no SCENEGATE_S3_BUCKET and SCENEGATE_S3_ENDPOINT'];
  const problems: string[] = [];
  const creator = Object.entries(compose.services).find(([, s]) => argv(s.command).join(' ').includes('create-bucket'));
  if (!creator) return ['no service creates the bucket'];
  // head-bucket fails the first time (no bucket yet), as on a fresh volume
  const calls = runShell(creator[1], { aws: 'case "$*" in *head-bucket*) exit 1;; esac; exit 0' });
  const created = calls.find((c) => c.includes('create-bucket'));
  if (!created) problems.push(`${creator[0]}: never creates the bucket`);
  else {
    if (flag(created, '--bucket') !== bucket)
      problems.push(`${creator[0]}: creates ${flag(created, '--bucket')}, the services use ${bucket}`);
    if (flag(created, '--endpoint-url') !== endpoint)
      problems.push(`${creator[0]}: talks to ${flag(created, '--endpoint-url')}, the services to ${endpoint}`);
  }
  const store = compose.services[hostOf(endpoint)];
  if (!store) return [...problems, `SCENEGATE_S3_ENDPOINT names ${hostOf(endpoint)}, which is no service`];
  const storeEnv = environmentOf(store);
  const creatorEnv = environmentOf(creator[1]);
  for (const [name, service] of scenegateServices(compose).filter(([, s]) => environmentOf(s).SCENEGATE_S3_BUCKET)) {
    const env = environmentOf(service);
    if (
      env.SCENEGATE_S3_ACCESS_KEY_ID !== storeEnv.ROOT_ACCESS_KEY_ID ||
      env.SCENEGATE_S3_SECRET_ACCESS_KEY !== storeEnv.ROOT_SECRET_ACCESS_KEY
    )
      problems.push(`${name}: its S3 keys are not the ones ${hostOf(endpoint)} accepts`);
  }
  if (
    creatorEnv.AWS_ACCESS_KEY_ID !== storeEnv.ROOT_ACCESS_KEY_ID ||
    creatorEnv.AWS_SECRET_ACCESS_KEY !== storeEnv.ROOT_SECRET_ACCESS_KEY
  )
    problems.push(`${creator[0]}: its keys are not the ones ${hostOf(endpoint)} accepts`);
  return problems;
}

/** Each scenegate service waits for what it talks to; the worker and the console for the search attributes and the bucket. */
function dependencyProblems(compose: Compose): string[] {
  const problems: string[] = [];
  const oneShots = new Set(['search-attributes', 's3-bucket']);
  for (const [name, service] of scenegateServices(compose)) {
    const env = environmentOf(service);
    const waits = waitsFor(compose, name);
    for (const address of [env.TEMPORAL_ADDRESS, env.SCENEGATE_S3_ENDPOINT].filter((a): a is string => !!a)) {
      const host = hostOf(address);
      if (compose.services[host] && !waits.has(host)) problems.push(`${name}: uses ${host} but does not wait for it`);
    }
    for (const [dependency, condition] of Object.entries(dependenciesOf(service))) {
      if (oneShots.has(dependency) && condition !== 'service_completed_successfully')
        problems.push(`${name}: starts before ${dependency} has finished (condition ${condition})`);
    }
  }
  for (const [name, needs] of [
    ['worker', ['search-attributes', 's3-bucket', 's3', 'temporal']],
    ['console', ['search-attributes', 'temporal']],
  ] as const) {
    const waits = waitsFor(compose, name);
    for (const need of needs) if (!waits.has(need)) problems.push(`${name}: does not wait for ${need}`);
  }
  return problems;
}

/** The console beyond loopback has a token; the webhook URL reaches the worker's receiver; the emulator answers where the worker looks. */
function exposureProblems(compose: Compose): string[] {
  const problems: string[] = [];
  const loopback = new Set(['127.0.0.1', '::1', 'localhost']);
  for (const [name, service] of scenegateServices(compose)) {
    if (!argv(service.command).includes('console')) continue;
    const env = environmentOf(service);
    const host = env.SCENEGATE_CONSOLE_HOST ?? '127.0.0.1';
    // a token compose insists on (`${X:?…}`) is there whenever the console runs; otherwise the file's own must do
    let token: string | undefined;
    try {
      token = environmentOf(service, { PWD: projectRoot }).SCENEGATE_CONSOLE_TOKEN;
    } catch {
      token = env.SCENEGATE_CONSOLE_TOKEN;
    }
    if (!loopback.has(host) && !(token && token.length >= 16))
      problems.push(`${name}: listens on ${host} without a SCENEGATE_CONSOLE_TOKEN`);
    const port = env.SCENEGATE_CONSOLE_PORT ?? '8240';
    if (!(service.ports ?? []).some((p) => p.endsWith(`:${port}`)))
      problems.push(`${name}: port ${port} is not published`);
  }
  const worker = compose.services.worker;
  const env = environmentOf(worker ?? {});
  if (env.SCENEGATE_WEBHOOK_URL) {
    const url = new URL(env.SCENEGATE_WEBHOOK_URL);
    if (url.hostname !== 'worker' || url.port !== env.SCENEGATE_WEBHOOK_PORT)
      problems.push(
        `SCENEGATE_WEBHOOK_URL ${url.host} is not the worker's receiver (worker:${env.SCENEGATE_WEBHOOK_PORT})`
      );
    if (env.SCENEGATE_WEBHOOK_HOST !== '0.0.0.0')
      problems.push("the worker's receiver listens on loopback only (SCENEGATE_WEBHOOK_HOST)");
  }
  const replicate = env.REPLICATE_BASE_URL ? new URL(env.REPLICATE_BASE_URL) : undefined;
  const emulator = compose.services.emulator;
  if (emulator && replicate && loopback.has(replicate.hostname)) {
    // the emulator binds 127.0.0.1 only: the worker reaches it on loopback when they share a network namespace
    if (emulator.network_mode !== 'service:worker')
      problems.push("the emulator does not share the worker's network, where the worker looks for it");
    if (flag(argv(emulator.command), '--port') !== replicate.port)
      problems.push(
        `the emulator listens on ${flag(argv(emulator.command), '--port')}, the worker calls port ${replicate.port}`
      );
  }
  return problems;
}

// ---- the real file

test('docker-compose.yml sets only settings scenegate reads, each valid', () => {
  assert.deepEqual(settingsProblems(load(composeText)), []);
});

test('docker-compose.yml runs the production build: node dist/<entry>.js for entry points npm run build makes', () => {
  assert.deepEqual(commandProblems(load(composeText)), []);
  assert.deepEqual(
    scenegateServices(load(composeText)).map(([name, s]) => [name, argv(s.command).slice(0, 3).join(' ')]),
    [
      ['worker', 'node dist/worker.js'],
      ['console', 'node dist/scenegate.js console'],
      ['emulator', 'node dist/emulator.js --port'],
    ]
  );
});

test('docker-compose.yml registers exactly the search attributes the workflow writes', () => {
  assert.deepEqual(searchAttributeProblems(load(composeText)), []);
});

test('docker-compose.yml creates the bucket the services use, with the keys the store accepts', () => {
  assert.deepEqual(bucketProblems(load(composeText)), []);
});

test('docker-compose.yml: services wait for what they use', () => {
  assert.deepEqual(dependencyProblems(load(composeText)), []);
});

test('docker-compose.yml: the console has a token, webhooks reach the worker, the emulator answers where the worker calls', () => {
  assert.deepEqual(exposureProblems(load(composeText)), []);
  assert.throws(
    () => environmentOf(load(composeText).services.console!, { PWD: projectRoot }),
    /compose would refuse to start: set SCENEGATE_CONSOLE_TOKEN/
  );
});

// ---- each check finds what it looks for

test('a broken compose file is caught by the check that looks for it', () => {
  const broken = (edit: (c: Compose) => void): Compose => {
    const c = copy();
    edit(c);
    return c;
  };
  const env = (c: Compose, service: string): Record<string, string | number | boolean | null> =>
    c.services[service]!.environment as Record<string, string>;

  assert.match(
    settingsProblems(broken((c) => (env(c, 'worker').SCENEGATE_WEBHOOK_PROT = '8788'))).join(),
    /worker: SCENEGATE_WEBHOOK_PROT is not a setting/
  );
  assert.match(
    settingsProblems(broken((c) => (env(c, 'console').SCENEGATE_CONSOLE_PORT = 'eighty'))).join(),
    /console: invalid setting SCENEGATE_CONSOLE_PORT/
  );
  assert.match(
    commandProblems(broken((c) => (c.services.worker!.command = ['npx', 'tsx', 'worker/main.ts']))).join(),
    /worker: runs "npx tsx worker\/main.ts"/
  );
  assert.match(
    commandProblems(broken((c) => (c.services.console!.command = ['node', 'dist/cli.js', 'console']))).join(),
    /console: dist\/cli.js is not built/
  );
  assert.match(
    commandProblems(
      broken((c) => (c.services.emulator!.command = ['node', 'dist/emulator.js', '--host', '0.0.0.0']))
    ).join(),
    /emulator: .*--host/
  );
  // the folded command the file once had: a more-indented line keeps its line break and ends the command
  const folded = composeText.replace(
    /\n(\s+)temporal operator search-attribute create --address temporal:7233 --namespace default\n\s+--name/,
    '\n$1  temporal operator search-attribute create --address temporal:7233 --namespace default\n$1    --name'
  );
  assert.notEqual(folded, composeText);
  assert.match(searchAttributeProblems(load(folded)).join(), /registers undefined:undefined/);
  assert.match(
    searchAttributeProblems(load(composeText.replace(' GenerationCostUsd:Double', ''))).join(),
    /registers GenerationScenesDone:Int, GenerationScenesTotal:Int, GenerationStatus:Keyword; the workflow writes/
  );
  assert.match(
    bucketProblems(load(composeText.replace(/--bucket scenegate; do/, '--bucket scenegate-videos; do'))).join(),
    /creates scenegate-videos, the services use scenegate/
  );
  assert.match(
    bucketProblems(broken((c) => (env(c, 'console').SCENEGATE_S3_SECRET_ACCESS_KEY = 'another-secret'))).join(),
    /console: its S3 keys are not the ones s3 accepts/
  );
  const workerWaitsLess = dependencyProblems(broken((c) => (c.services.worker!.depends_on = ['search-attributes'])));
  assert.ok(
    workerWaitsLess.includes('worker: starts before search-attributes has finished (condition service_started)')
  );
  assert.ok(workerWaitsLess.includes('worker: uses s3 but does not wait for it'));
  assert.match(
    dependencyProblems(broken((c) => (c.services.console!.depends_on = ['s3-bucket']))).join(),
    /console: uses temporal but does not wait for it/
  );
  assert.match(
    exposureProblems(
      broken((c) => (env(c, 'console').SCENEGATE_CONSOLE_TOKEN = '${SCENEGATE_CONSOLE_TOKEN:-}'))
    ).join(),
    /console: listens on 0.0.0.0 without a SCENEGATE_CONSOLE_TOKEN/
  );
  assert.match(
    exposureProblems(
      broken((c) => (env(c, 'worker').SCENEGATE_WEBHOOK_URL = 'http://localhost:8788/replicate-webhook'))
    ).join(),
    /is not the worker's receiver/
  );
  assert.match(
    exposureProblems(broken((c) => delete c.services.emulator!.network_mode)).join(),
    /the emulator does not share the worker's network/
  );
});

test('the image runs node with the memory settings the bench measures the production worker with', () => {
  const dockerfile = fs.readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env = Object.fromEntries(
    [...finalStage.matchAll(/^ENV (.+)$/gm)].flatMap((m) =>
      m[1]!.split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])
    )
  );
  for (const [name, value] of Object.entries(productionWorkerEnv)) {
    assert.equal(env[name], value, `the Dockerfile's final stage sets ${name}=${value}`);
  }
});
