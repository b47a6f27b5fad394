/**
 * Every example plan on every catalogue model: refused before anything is paid, naming the field,
 * or every create it would make (each scene, first attempt and after gate misses) is one the
 * model's published schema accepts and no rule in its pages breaks.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { loadCatalogue } from '../../common/catalogue-file';
import { projectRoot } from '../../common/paths';
import { validateInput } from '../../emulator/input-validation';
import { emulatedModels } from '../../emulator/models';
import { planSchema, withoutEditorSchema } from '../../schema/plan';
import { modelProblems } from '../../schema/plan-model-check';
import { clipCallSpec, keyframeCallSpec } from '../../workflows/rules/call-specs';

const catalogue = loadCatalogue();
const plansDir = path.join(projectRoot, 'examples', 'plans');
const plans = fs.readdirSync(plansDir).map((file) => {
  const text = fs.readFileSync(path.join(plansDir, file), 'utf8');
  return {
    file,
    plan: planSchema.parse(withoutEditorSchema(file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text))),
  };
});

const fakeReferences = (plan: (typeof plans)[number]['plan']) =>
  plan.consistencyGroups.flatMap((g) =>
    g.referenceImages.map((_, i) => ({
      groupId: g.id,
      source: `${g.id}-${i}`,
      url: `https://files.example/${g.id}-${i}.png`,
      localPath: '/x',
      sha256: 'x',
    }))
  );

/** The model's published schema accepts the input and no rule of its pages breaks. */
function assertAccepted(modelId: string, input: Record<string, unknown>, what: string): void {
  const served = emulatedModels.find((m) => m.id === modelId)!;
  const checked = validateInput(served, input);
  assert.ok(checked.ok, `${what} on ${modelId}: ${JSON.stringify(!checked.ok && checked.invalid)}`);
  assert.equal(served.problem?.(checked.input), undefined, `${what} on ${modelId}`);
}

const refusedByField = /^(scenes\[\d+\]\.(entities|durationSec)|aspectRatio|model|keyframe\.model): /;

test('every example plan on every catalogue model is refused by field, or sends only what the model accepts', () => {
  assert.ok(plans.length >= 5);
  const outcomes: string[] = [];
  for (const { file, plan } of plans.filter((p) => p.plan.pipeline === 'direct')) {
    for (const model of catalogue.models) {
      const problems = modelProblems({ ...plan, model: model.id }, catalogue);
      if (problems.length > 0) {
        for (const p of problems) assert.match(p, refusedByField, p);
        outcomes.push(`${file} on ${model.id}: refused`);
        continue;
      }
      const references = fakeReferences(plan);
      for (const scene of plan.scenes) {
        for (const escalation of [0, 1, 2]) {
          const { input } = clipCallSpec(model, plan, scene, references, { strength: 0.6, seed: 7, escalation });
          assertAccepted(model.id, input, `${file} ${scene.id}`);
        }
      }
      outcomes.push(`${file} on ${model.id}: runs`);
    }
  }
  // the local model runs them all; a hosted one runs at least the plans its lengths allow
  assert.ok(outcomes.filter((o) => o.endsWith('runs')).length > plans.length, outcomes.join('\n'));
});

test('every keyframe example plan on every pair of catalogue models is refused by field, or both calls send only what each model accepts', () => {
  const keyframePlans = plans.filter((p) => p.plan.pipeline === 'keyframe');
  assert.ok(keyframePlans.length >= 1);
  const runs: string[] = [];
  for (const { file, plan } of keyframePlans) {
    for (const video of catalogue.models) {
      for (const image of catalogue.models) {
        const problems = modelProblems({ ...plan, model: video.id, keyframe: { model: image.id } }, catalogue);
        if (problems.length > 0) {
          for (const p of problems) assert.match(p, refusedByField, p);
          continue;
        }
        const references = fakeReferences(plan);
        for (const scene of plan.scenes) {
          for (const escalation of [0, 1, 2]) {
            const attempt = { strength: 0.6, seed: 7, escalation };
            const keyframe = keyframeCallSpec(image, plan, scene, references, attempt);
            assertAccepted(image.id, keyframe.input, `${file} ${scene.id} keyframe`);
            const clip = clipCallSpec(video, plan, scene, references, attempt, 'https://files.example/keyframe.png');
            assertAccepted(video.id, clip.input, `${file} ${scene.id} clip`);
          }
        }
        runs.push(`${file}: ${image.id} then ${video.id}`);
      }
    }
  }
  // the emulator's pair and the hosted defaults for a character with a product run it
  for (const pair of [
    'scenegate/ip-adapter-image then scenegate/image-to-video',
    'runwayml/gen4-image then kwaivgi/kling-v2.5-turbo-pro',
  ]) {
    assert.ok(
      runs.some((r) => r.endsWith(pair)),
      `${pair} does not run:\n${runs.join('\n')}`
    );
  }
});
