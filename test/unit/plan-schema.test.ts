import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { InvalidPlanError, loadPlanFile, validatePlan } from '../../client/load-plan';
import { raiseBudgetSchema, setBudgetSchema } from '../../schema/messages';
import { durationMs, planSchema, type PlanInput } from '../../schema/plan';

const minimal = (): PlanInput => ({
  consistencyGroups: [{ id: 'hero', kind: 'character', referenceImages: ['hero.png'] }],
  scenes: [
    { id: 's1', prompt: 'the hero wakes', entities: ['hero'] },
    { id: 's2', prompt: 'the hero walks', entities: ['hero'] },
  ],
});

function rejection(input: unknown): string {
  try {
    validatePlan(input);
  } catch (err) {
    assert.ok(err instanceof InvalidPlanError, `expected InvalidPlanError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('the plan was accepted');
}

test('everything but the scenes and groups has a default', () => {
  const plan = planSchema.parse(minimal());
  assert.equal(plan.model, undefined, "the worker picks the catalogue's default for the emulator or hosted Replicate");
  assert.deepEqual(plan.strategy, { mode: 'pool', concurrency: 3 });
  assert.equal(plan.gate.enabled, true);
  assert.equal(plan.gate.scorer, undefined, 'the worker resolves it to vision');
  assert.deepEqual(plan.timeouts, { sceneAttempt: '45m', predictionCheck: '30s', heartbeat: '10s' });
  assert.equal(plan.gate.onFail, 'await-approval');
  assert.equal(plan.budget.onExceeded, 'pause');
  assert.equal(plan.onSceneFailure, 'fail-fast');
  assert.equal(plan.retry.maxAttemptsPerScene, 3);
  assert.equal(plan.consistencyGroups[0]!.strength, 0.6);
  assert.equal(plan.scenes[0]!.durationSec, 5);
});

test('a plan without a seed gets the same seed from the same id, and a different one from another', () => {
  const a = planSchema.parse({ ...minimal(), generationId: 'ad-1' });
  const b = planSchema.parse({ ...minimal(), generationId: 'ad-1' });
  const c = planSchema.parse({ ...minimal(), generationId: 'ad-2' });
  assert.equal(a.seed, b.seed);
  assert.notEqual(a.seed, c.seed);
  assert.equal(planSchema.parse({ ...minimal(), seed: 7 }).seed, 7);
});

test('an unknown entity is named by its path and the groups that do exist', () => {
  const plan = minimal();
  plan.scenes.push({ id: 's3', prompt: 'x', entities: ['hero', 'heroo'] });
  assert.equal(rejection(plan), 'scenes[2].entities[1]: unknown consistency group "heroo" (known: hero)');
});

test('each bad field is named in one line', () => {
  const cases: [(p: PlanInput) => void, RegExp][] = [
    [(p) => (p.scenes = []), /^scenes: needs at least one scene$/],
    [(p) => (p.scenes[1]!.id = 's1'), /^scenes\[1\]\.id: duplicate scene id "s1"$/],
    [(p) => (p.scenes[0]!.durationSec = 30), /^scenes\[0\]\.durationSec: must be 1 to 10 seconds$/],
    [(p) => (p.scenes[0]!.id = 'has space'), /^scenes\[0\]\.id: must be 1 to 100 letters/],
    [(p) => (p.consistencyGroups[0]!.strength = 1.5), /^consistencyGroups\[0\]\.strength: must be between 0 and 1$/],
    [
      (p) => (p.consistencyGroups[0]!.referenceImages = []),
      /^consistencyGroups\[0\]\.referenceImages: needs at least one reference image$/,
    ],
    [(p) => (p.strategy = { mode: 'swarm' as 'pool' }), /^strategy\.mode: /],
    [(p) => (p.model = 'acme/nothing'), /^model: unknown model "acme\/nothing" \(the catalogue has /],
  ];
  for (const [spoil, expected] of cases) {
    const plan = minimal();
    spoil(plan);
    assert.match(rejection(plan), expected);
  }
});

test('every problem is named, one per line', () => {
  const plan = minimal();
  plan.scenes[0]!.prompt = '';
  plan.scenes[1]!.durationSec = 0;
  assert.equal(
    rejection(plan),
    '2 problems:\n  - scenes[0].prompt: must not be empty\n  - scenes[1].durationSec: must be 1 to 10 seconds'
  );
});

test('an unknown key is refused by name, with the key it was probably meant to be', () => {
  const misspelt = { ...minimal(), stratgy: { mode: 'sequential' } };
  assert.equal(rejection(misspelt), 'unknown key "stratgy" (did you mean "strategy"?)');
  const nested = minimal();
  (nested.scenes[0] as Record<string, unknown>).durationSeconds = 4;
  (nested.scenes[0] as Record<string, unknown>).mood = 'calm';
  assert.equal(rejection(nested), 'scenes[0]: unknown keys "durationSeconds" (did you mean "durationSec"?), "mood"');
});

test('a zero, negative or absurd duration is refused where it is written, not when Temporal schedules it', () => {
  const cases: [(p: PlanInput) => void, string][] = [
    [(p) => (p.timeouts = { sceneAttempt: 0 }), 'timeouts.sceneAttempt: must be longer than 0'],
    [(p) => (p.timeouts = { heartbeat: '0s' }), 'timeouts.heartbeat: must be longer than 0'],
    [(p) => (p.gate = { approvalTimeout: '0.0001ms' }), 'gate.approvalTimeout: must be longer than 0'],
    [(p) => (p.budget = { waitTimeout: -5 }), 'budget.waitTimeout: must be longer than 0'],
    [(p) => (p.budget = { waitTimeout: '400d' }), 'budget.waitTimeout: must be at most 365d'],
    [
      (p) => (p.gate = { approvalTimeout: 'soon' }),
      'gate.approvalTimeout: must be a duration such as "90s", "15m" or "24h"',
    ],
  ];
  for (const [spoil, expected] of cases) {
    const plan = minimal();
    spoil(plan);
    assert.equal(rejection(plan), expected);
  }
});

test('with the gate on, scene 1 must show a consistency group: there is nothing to score it against otherwise', () => {
  const plan = minimal();
  plan.scenes[0]!.entities = [];
  assert.match(rejection(plan), /^scenes\[0\]\.entities: the gate checks scene 1 against its references/);
  // the same plan is refused by the schema the workflow runs, not only by the client
  assert.equal(planSchema.safeParse(plan).success, false);
  plan.gate = { enabled: false };
  assert.equal(planSchema.safeParse(plan).success, true);
});

test('money is a finite number of dollars up to a million', () => {
  const plan = minimal();
  plan.budget = { limitUsd: 1e308 };
  assert.equal(rejection(plan), 'budget.limitUsd: must be at most 1000000 US dollars');
  assert.equal(raiseBudgetSchema.safeParse({ amountUsd: 1e308 }).success, false);
  assert.equal(raiseBudgetSchema.safeParse({ amountUsd: Number.POSITIVE_INFINITY }).success, false);
  assert.equal(raiseBudgetSchema.safeParse({ amountUsd: 0 }).success, false);
  assert.equal(raiseBudgetSchema.safeParse({ amountUsd: 2, extra: 1 }).success, false);
  assert.equal(setBudgetSchema.safeParse({ limitUsd: 0 }).success, true);
});

test('a plan file names itself; references beside it become absolute, others stay for the worker; YAML works too', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-plan-'));
  await fs.mkdir(path.join(dir, 'refs'));
  const project = path.join(import.meta.dirname, '..', '..');
  await fs.copyFile(path.join(project, 'examples', 'references', 'mara.png'), path.join(dir, 'refs', 'hero.png'));
  const yamlFile = path.join(dir, 'ad.yaml');
  await fs.writeFile(
    yamlFile,
    'consistencyGroups:\n  - { id: hero, kind: character, referenceImages: [refs/hero.png, examples/references/mara.png, https://example.com/x.png] }\nscenes:\n  - { id: s1, prompt: go, entities: [hero] }\n'
  );
  // the CLI checks local references against the roots a worker on this machine would use
  process.env.SCENEGATE_REFERENCE_ROOTS = [project, dir].join(path.delimiter);
  const plan = await loadPlanFile(yamlFile);
  delete process.env.SCENEGATE_REFERENCE_ROOTS;
  assert.deepEqual(plan.consistencyGroups[0]!.referenceImages, [
    path.join(dir, 'refs', 'hero.png'),
    'examples/references/mara.png',
    'https://example.com/x.png',
  ]);
  assert.match(plan.generationId, /^gen-\d{8}-\d{6}-[0-9a-f]{4}$/);

  const badFile = path.join(dir, 'bad.json');
  await fs.writeFile(badFile, JSON.stringify({ ...minimal(), budget: { limitUsd: -1 } }));
  await assert.rejects(loadPlanFile(badFile), { message: /^bad\.json: budget\.limitUsd: / });
  await fs.writeFile(badFile, '{ not json');
  await assert.rejects(loadPlanFile(badFile), { message: /bad\.json is not valid JSON/ });
  await assert.rejects(loadPlanFile(path.join(dir, 'missing.json')), { message: /cannot read the plan file/ });
});

test('durations read as Temporal reads them', () => {
  assert.equal(durationMs('90s'), 90_000);
  assert.equal(durationMs('1.5h'), 5_400_000);
  assert.equal(durationMs(250), 250);
});

test('every example plan is valid, its references exist, and together they cover every strategy and gate scorer', async () => {
  const dir = path.join(import.meta.dirname, '..', '..', 'examples', 'plans');
  const plans = await Promise.all((await fs.readdir(dir)).map((file) => loadPlanFile(path.join(dir, file))));
  for (const plan of plans) {
    // relative ones are what a worker running in the project folder resolves
    for (const ref of plan.consistencyGroups.flatMap((g) => g.referenceImages)) {
      await fs.access(path.resolve(import.meta.dirname, '..', '..', ref));
    }
  }
  assert.deepEqual(new Set(plans.map((p) => p.strategy.mode)), new Set(['sequential', 'batched', 'pool', 'parallel']));
  assert.deepEqual(
    new Set(plans.filter((p) => p.gate.enabled).map((p) => p.gate.scorer)),
    // unset: vision, the default
    new Set([undefined, 'local', 'clip', 'manual'])
  );
  assert.ok(plans.some((p) => !p.gate.enabled));
});
