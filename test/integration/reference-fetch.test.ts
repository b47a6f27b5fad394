/**
 * Reference images a plan points at (issue 20, rows 2, 3, 4, 17 and 22): what a worker fetches,
 * how much and for how long, what it stores, and how often it reads, checks and writes one image.
 * The web host is an https server on loopback with a test certificate, which the worker trusts
 * only where a test says so.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type ActivityDeps } from '../../activities';
import { addressAllowList } from '../../activities/public-address';
import { projectRoot } from '../../common/paths';
import type { Storage } from '../../common/storage/storage';
import { runFfmpeg } from '../../media/ffmpeg';
import type { Activities, PrepareGenerationResult } from '../../schema/activities';
import { FailureType } from '../../schema/failures';
import { planLimits, type PlanInput } from '../../schema/plan';
import { applicationFailureOf } from '../helpers/failures';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { chunkedBody, startReferenceServer, type ReferenceServer } from '../helpers/reference-server';
import { waitUntil } from '../helpers/wait';

const TEN_MB = 10 * 1024 * 1024;
const maraFile = path.join(projectRoot, 'examples', 'references', 'mara.png');

let env: GenerationEnv;
let server: ReferenceServer;
let mara: Buffer;
let dir: string;
/** How the big body's fetch ended on the server's side. */
let bigBody: { sent: number; finished: boolean } | undefined;
/** Whether the stalled and trickling responses saw their client hang up. */
const hungUp = { stall: false, trickle: false };

before(async () => {
  env = await useGenerationEnv(import.meta.url);
  mara = await fs.readFile(maraFile);
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-reference-fetch-'));
  server = await startReferenceServer({
    '/mara.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(mara),
    '/redirect-ok': (_req, res) => res.writeHead(302, { location: '/mara.png' }).end(),
    '/to-http': (_req, res) =>
      res.writeHead(302, { location: `${server.origin.replace('https:', 'http:')}/mara.png` }).end(),
    '/to-ipv6-loopback': (_req, res) =>
      res.writeHead(307, { location: `https://[::1]:${new URL(server.origin).port}/mara.png` }).end(),
    '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
    '/big': chunkedBody(mara.subarray(0, 16), 300 * 1024 * 1024, (sent, finished) => {
      bigBody = { sent, finished };
    }),
    '/stall': (_req, res) => {
      res.on('close', () => (hungUp.stall = true));
      res.writeHead(200, { 'content-type': 'image/png' }).flushHeaders();
    },
    '/trickle': (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      const timer = setInterval(() => res.write(Buffer.from([0])), 100);
      res.on('close', () => {
        clearInterval(timer);
        hungUp.trickle = true;
      });
    },
  });
});
beforeEach(() => {
  server.requests.length = 0;
});
after(async () => {
  await server?.close();
  await env?.teardown();
  await fs.rm(dir, { recursive: true, force: true });
});

let serial = 0;
const id = (name: string): string => `ref-${name}-${Date.now()}-${serial++}`;

/** A one-scene plan whose one group has these reference images. */
function planWith(name: string, referenceImages: string[]): PlanInput {
  const plan = testPlan(id(name), 1);
  plan.consistencyGroups = [{ id: 'mara', kind: 'character', referenceImages, strength: 0.7 }];
  plan.scenes = [{ id: 's1', prompt: 'Mara waves', durationSec: 2, entities: ['mara'] }];
  return plan;
}

/** The test server trusted as tests of a deployment with an internal asset host would: its address and certificate. */
function trusted(extra: Partial<ActivityDeps> = {}): ActivityDeps {
  return {
    ...env.deps,
    referenceFetch: { allowedAddresses: addressAllowList(['127.0.0.1']), ca: server.cert, totalMs: 3000, idleMs: 1000 },
    ...extra,
  };
}

const PREPARED = 'PreparedForTest';

/** The activities, except that the generation stops once prepared, its preparation as the failure's message. */
function stopAfterPrepare(deps: ActivityDeps): Activities {
  const activities = createActivities(deps);
  return {
    ...activities,
    async prepareGeneration(input) {
      const prepared = await activities.prepareGeneration(input);
      throw ApplicationFailure.nonRetryable(JSON.stringify(prepared), PREPARED);
    },
  };
}

/** Runs plans until their generations end, under one worker; returns how each failed. */
async function failuresOf(plans: PlanInput[], activities: Activities): Promise<ApplicationFailure[]> {
  return env.withWorker(async () => {
    const handles = await Promise.all(plans.map((plan) => env.generations.start(plan)));
    return Promise.all(
      handles.map((handle) =>
        handle.result().then(
          () => assert.fail(`${handle.id} succeeded`),
          (err: unknown) => applicationFailureOf(err)
        )
      )
    );
  }, activities);
}

async function failureOf(plan: PlanInput, activities: Activities): Promise<ApplicationFailure> {
  const [failure] = await failuresOf([plan], activities);
  return failure!;
}

async function prepared(plan: PlanInput, activities: Activities): Promise<PrepareGenerationResult> {
  const failure = await failureOf(plan, activities);
  assert.equal(failure.type, PREPARED, failure.message);
  return JSON.parse(failure.message) as PrepareGenerationResult;
}

test('row 2: a reference URL reaching loopback, private, link-local or metadata addresses is refused before any request, whatever answers there', async () => {
  const { port } = new URL(server.origin);
  // only the certificate is trusted: the addresses are not
  const activities = stopAfterPrepare({ ...env.deps, referenceFetch: { ca: server.cert } });
  const urls = [
    `${server.origin}/mara.png`,
    'https://127.0.0.1:1/mara.png',
    `https://localhost:${port}/mara.png`,
    `https://[::1]:${port}/mara.png`,
    `https://[::ffff:127.0.0.1]:${port}/mara.png`,
    'https://169.254.169.254/latest/meta-data/',
    'https://[fd00:ec2::254]/latest/meta-data/',
    'https://10.1.2.3/mara.png',
    'https://0.0.0.0/mara.png',
  ];
  const failures = await failuresOf(
    urls.map((url, i) => planWith(`private-${i}`, [url])),
    activities
  );
  for (const [i, failure] of failures.entries()) {
    assert.equal(failure.type, FailureType.InvalidReference, failure.message);
    // one sentence for an open port, a closed one and a name: nothing to map a network with
    assert.equal(
      failure.message,
      `consistencyGroups[0].referenceImages[0]: ${urls[i]} does not resolve to a public address (reference URLs may not reach loopback, private, link-local or cloud metadata addresses)`
    );
  }
  assert.deepEqual(server.requests, []);
});

test('row 2: redirects are followed by hand, each hop https and checked again, five at most', async () => {
  const activities = stopAfterPrepare(trusted());
  const ok = await prepared(planWith('redirect-ok', [`${server.origin}/redirect-ok`]), activities);
  assert.equal(ok.references[0]?.sha256.length, 64);
  assert.deepEqual(server.requests, ['/redirect-ok', '/mara.png']);

  const refused = {
    '/to-http': /\/to-http \(after 1 redirect\) is not an https URL$/,
    '/to-ipv6-loopback': /\/to-ipv6-loopback \(after 1 redirect\) does not resolve to a public address/,
    '/loop': /\/loop redirects more than 5 times$/,
  };
  server.requests.length = 0;
  for (const [route, message] of Object.entries(refused)) {
    const failure = await failureOf(planWith('redirect', [`${server.origin}${route}`]), activities);
    assert.equal(failure.type, FailureType.InvalidReference, failure.message);
    assert.match(failure.message, message);
  }
  // the refused hops were never requested
  assert.deepEqual(server.requests, ['/to-http', '/to-ipv6-loopback', ...Array(6).fill('/loop')]);
});

test('row 3: a body without a length is counted as it arrives and refused at 10 MB, not read whole', async () => {
  bigBody = undefined;
  const failure = await failureOf(planWith('big', [`${server.origin}/big`]), stopAfterPrepare(trusted()));
  assert.equal(failure.type, FailureType.InvalidReference, failure.message);
  assert.match(failure.message, /\/big is larger than the limit of 10485760 bytes$/);
  const ended = await waitUntil('the big body to end', () => bigBody);
  assert.equal(ended.finished, false, `the server sent all ${ended.sent} bytes`);
  assert.ok(ended.sent < 300 * 1024 * 1024);
  assert.ok(TEN_MB < ended.sent);
});

/** The last failure of the generation's pending activity, once one matches `message`. */
async function pendingFailure(generationId: string, message: RegExp): Promise<string> {
  const handle = env.temporal.env.client.workflow.getHandle(generationId);
  return waitUntil(
    `a prepareGeneration attempt failing with ${message}`,
    async () => {
      const { raw } = await handle.describe();
      const last = raw.pendingActivities?.[0]?.lastFailure?.message;
      return last && message.test(last) ? last : undefined;
    },
    120_000
  );
}

test('row 4: a stalled or trickling reference ends by its idle and total limits though the activity heartbeats', async () => {
  hungUp.stall = hungUp.trickle = false;
  await env.withWorker(async () => {
    const stall = await env.generations.start(planWith('stall', [`${server.origin}/stall`]));
    const trickle = await env.generations.start(planWith('trickle', [`${server.origin}/trickle`]));
    try {
      // retryable: a slow host may recover, and each try is bounded
      assert.match(await pendingFailure(stall.id, /sent nothing/), /\/stall sent nothing for 1 s$/);
      assert.match(await pendingFailure(trickle.id, /did not arrive/), /\/trickle did not arrive within 3 s$/);
      await waitUntil('the server to see both fetches hang up', () => hungUp.stall && hungUp.trickle);
    } finally {
      await stall.workflow.terminate('test over');
      await trickle.workflow.terminate('test over');
    }
  }, createActivities(trusted()));
});

test('a reference host still silent after every try fails the generation with its cause, naming the field', async () => {
  const real = createActivities(trusted());
  const activities: Activities = {
    ...real,
    // the real fetch each try; only the pause between tries is cut, so ten tries take seconds, not minutes
    async prepareGeneration(input) {
      try {
        return await real.prepareGeneration(input);
      } catch (err) {
        if (!(err instanceof ApplicationFailure) || err.nonRetryable) throw err;
        throw ApplicationFailure.create({ message: err.message, type: err.type ?? undefined, nextRetryDelay: 10 });
      }
    },
  };
  const failure = await failureOf(planWith('silent', [`${server.origin}/stall`]), activities);
  assert.equal(failure.type, FailureType.ReplicateNetwork, failure.message);
  assert.match(failure.message, /^consistencyGroups\[0\]\.referenceImages\[0\]: .*\/stall sent nothing for 1 s$/);
});

/** Every file under `root`, relative. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

test('row 17: a refused reference image is never stored', async () => {
  const tiny = path.join(dir, 'tiny.png');
  await runFfmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=16x16', '-frames:v', '1', '-y', tiny]);
  const notAnImage = path.join(dir, 'fake.png');
  await fs.writeFile(notAnImage, Buffer.concat([mara.subarray(0, 16), Buffer.from('but no image after the magic')]));
  const activities = stopAfterPrepare(trusted());
  const refused = { [tiny]: /is 16x16; sides must be 64 to 8192 pixels$/, [notAnImage]: /could not be decoded/ };
  for (const [source, message] of Object.entries(refused)) {
    const plan = planWith('refused', [maraFile, source]);
    const failure = await failureOf(plan, activities);
    assert.equal(failure.type, FailureType.InvalidReference, failure.message);
    assert.match(failure.message, message);
    // the accepted image before it is there; the refused one is not
    const stored = await filesUnder(path.join(env.storageDir, 'storage', plan.generationId!));
    assert.equal(stored.length, 1, stored.join(', '));
  }
});

/** The storage, counting what is written. */
function countingWrites(storage: Storage): { storage: Storage; writes: string[] } {
  const writes: string[] = [];
  const counted = Object.create(storage) as Storage;
  counted.put = (key, ...rest) => {
    writes.push(key);
    return storage.put(key, ...rest);
  };
  return { storage: counted, writes };
}

test('row 22: one image named many times, by path, copy and URL, is read once per source and checked and stored once', async () => {
  const copy = path.join(dir, 'mara-copy.png');
  await fs.copyFile(maraFile, copy);
  const { storage, writes } = countingWrites(env.deps.storage);
  const plan = planWith('same-image', []);
  plan.consistencyGroups = Array.from({ length: planLimits.groups }, (_, i) => ({
    id: `g${i}`,
    kind: 'character' as const,
    referenceImages: [maraFile, copy, `${server.origin}/mara.png`, maraFile],
    strength: 0.7,
  }));
  plan.scenes = [{ id: 's1', prompt: 'Mara waves', durationSec: 2, entities: ['g0'] }];
  const result = await prepared(plan, stopAfterPrepare(trusted({ storage })));
  assert.equal(result.references.length, planLimits.groups * 4);
  assert.equal(new Set(result.references.map((r) => r.sha256)).size, 1);
  assert.deepEqual(server.requests, ['/mara.png']);
  assert.equal(writes.length, 1, writes.join(', '));
});
