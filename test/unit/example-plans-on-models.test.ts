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
import { clipCallSpec } from '../../workflows/rules/call-specs';

const catalogue = loadCatalogue();
const plansDir = path.join(projectRoot, 'examples', 'plans');
const plans = fs.readdirSync(plansDir).map((file) => {
  const text = fs.readFileSync(path.join(plansDir, file), 'utf8');
  return {
    file,
    plan: planSchema.parse(withoutEditorSchema(file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text))),
  };
});

test('every example plan on every catalogue model is refused by field, or sends only what the model accepts', () => {
  assert.ok(plans.length >= 5);
  const outcomes: string[] = [];
  for (const { file, plan } of plans) {
    for (const model of catalogue.models) {
      const problems = modelProblems({ ...plan, model: model.id }, catalogue);
      if (problems.length > 0) {
        for (const p of problems)
          assert.match(p, /^(scenes\[\d+\]\.(entities|durationSec)|aspectRatio|model|keyframe\.model): /, p);
        outcomes.push(`${file} on ${model.id}: refused`);
        continue;
      }
      const served = emulatedModels.find((m) => m.id === model.id)!;
      const references = plan.consistencyGroups.flatMap((g) =>
        g.referenceImages.map((_, i) => ({
          groupId: g.id,
          source: `${g.id}-${i}`,
          url: `https://files.example/${g.id}-${i}.png`,
          localPath: '/x',
          sha256: 'x',
        }))
      );
      for (const scene of plan.scenes) {
        for (const escalation of [0, 1, 2]) {
          const { input } = clipCallSpec(model, plan, scene, references, { strength: 0.6, seed: 7, escalation });
          const checked = validateInput(served, input);
          assert.ok(
            checked.ok,
            `${file} ${scene.id} on ${model.id}: ${JSON.stringify(!checked.ok && checked.invalid)}`
          );
          assert.equal(served.problem?.(checked.input), undefined, `${file} ${scene.id} on ${model.id}`);
        }
      }
      outcomes.push(`${file} on ${model.id}: runs`);
    }
  }
  // the local model runs them all; a hosted one runs at least the plans its lengths allow
  assert.ok(outcomes.filter((o) => o.endsWith('runs')).length > plans.length, outcomes.join('\n'));
});
