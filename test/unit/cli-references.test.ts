/** The CLI refuses reference images a worker on its machine could not use, before anything starts. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { InvalidPlanError, loadPlanFile, referenceProblems } from '../../client/load-plan';
import { projectRoot } from '../../common/paths';

const mara = path.join(projectRoot, 'examples', 'references', 'mara.png');
let dir: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-refs-'));
  await fs.writeFile(path.join(dir, 'notes.png'), 'not an image at all');
  await fs.copyFile(mara, path.join(dir, 'mara.png'));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const groups = (...referenceImages: string[]) => ({
  consistencyGroups: [{ id: 'mara', kind: 'character' as const, referenceImages, strength: 0.5 }],
});

test('every unusable local reference is a problem naming its field; URLs are left to the worker', async () => {
  const problems = await referenceProblems(
    groups(
      path.join(dir, 'mara.png'),
      path.join(dir, 'missing.png'),
      path.join(dir, 'notes.png'),
      mara,
      'https://example.com/mara.png',
      dir
    ),
    [dir]
  );
  assert.deepEqual(problems, [
    `consistencyGroups[0].referenceImages[1]: file not found: ${path.join(dir, 'missing.png')}`,
    `consistencyGroups[0].referenceImages[2]: ${path.join(dir, 'notes.png')} is not a PNG, JPEG, WebP or GIF image`,
    `consistencyGroups[0].referenceImages[3]: ${await fs.realpath(mara)} is outside the folders reference images may come from (${await fs.realpath(dir)}; set SCENEGATE_REFERENCE_ROOTS)`,
    `consistencyGroups[0].referenceImages[5]: ${await fs.realpath(dir)} is not a file`,
  ]);
});

test('a plan file with an unusable reference is refused by loadPlanFile, every problem on its own line', async () => {
  const plan = {
    generationId: 'refs',
    ...groups('mara.png', 'missing.png', 'notes.png'),
    scenes: [{ id: 's1', prompt: 'Mara waves', durationSec: 2, entities: ['mara'] }],
  };
  const file = path.join(dir, 'plan.json');
  await fs.writeFile(file, JSON.stringify(plan));
  // the roots the worker on this machine would use: the CLI reads the same setting
  process.env.SCENEGATE_REFERENCE_ROOTS = dir;
  const err = await loadPlanFile(file).then(
    () => assert.fail('accepted'),
    (e: unknown) => e
  );
  delete process.env.SCENEGATE_REFERENCE_ROOTS;
  assert.ok(err instanceof InvalidPlanError);
  assert.equal(err.exitCode, 2);
  assert.match(
    err.message,
    /^plan\.json: 2 problems:\n {2}- consistencyGroups\[0\]\.referenceImages\[1\]: file not found: missing\.png \(looked in .+\)\n {2}- consistencyGroups\[0\]\.referenceImages\[2\]: .*notes\.png is not a PNG/
  );
});

test("a plan kept in the person's own folder is read from anywhere; one elsewhere is refused naming the folders", async () => {
  // the home folder is where a person keeps plans: the CLI, like `npm run dev`'s worker, reads it
  const home = path.join(dir, 'home');
  const project = path.join(home, 'ads', 'spring');
  await fs.mkdir(project, { recursive: true });
  await fs.copyFile(mara, path.join(project, 'mara.png'));
  const plan = {
    ...groups('mara.png'),
    scenes: [{ id: 's1', prompt: 'Mara waves', durationSec: 2, entities: ['mara'] }],
  };
  await fs.writeFile(path.join(project, 'plan.json'), JSON.stringify(plan));
  const elsewhere = path.join(dir, 'elsewhere');
  await fs.mkdir(elsewhere);
  await fs.copyFile(mara, path.join(elsewhere, 'mara.png'));
  await fs.writeFile(path.join(elsewhere, 'plan.json'), JSON.stringify(plan));

  const savedHome = process.env.HOME;
  process.env.HOME = home;
  try {
    const loaded = await loadPlanFile(path.join(project, 'plan.json'));
    assert.deepEqual(loaded.consistencyGroups[0]!.referenceImages, [path.join(project, 'mara.png')]);
    const err = await loadPlanFile(path.join(elsewhere, 'plan.json')).then(
      () => assert.fail('accepted'),
      (e: unknown) => e
    );
    assert.ok(err instanceof InvalidPlanError);
    const real = await fs.realpath(path.join(elsewhere, 'mara.png'));
    assert.equal(
      err.message,
      `plan.json: consistencyGroups[0].referenceImages[0]: ${real} is outside the folders reference images may come from (${await fs.realpath(projectRoot)}, ${await fs.realpath(home)}; set SCENEGATE_REFERENCE_ROOTS)`
    );
  } finally {
    process.env.HOME = savedHome;
  }
});
