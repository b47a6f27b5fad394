/** What a plan asks of its model, refused before anything is paid, naming the field and the model's limit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../common/catalogue-file';
import { planSchema, type PlanInput } from '../../schema/plan';
import { modelProblems, referenceLimitProblem } from '../../schema/plan-model-check';

const catalogue = loadCatalogue();

/** A character with four images and a product with two, in two scenes: both, then the product alone. */
function plan(model: string, extra: Partial<PlanInput> = {}) {
  return planSchema.parse({
    model,
    consistencyGroups: [
      { id: 'mara', kind: 'character', referenceImages: ['m1.png', 'm2.png', 'm3.png', 'm4.png'] },
      { id: 'lumen', kind: 'product', referenceImages: ['l1.png', 'l2.png'] },
    ],
    scenes: [
      { id: 'both', prompt: 'Mara holds Lumen', durationSec: 8, entities: ['mara', 'lumen'] },
      { id: 'bottle', prompt: 'Lumen on a desk', durationSec: 8, entities: ['lumen'] },
    ],
    ...extra,
  });
}

test('a character and a product both reach a three-slot model; the plan passes', () => {
  assert.deepEqual(modelProblems(plan('google/veo-3.1'), catalogue), []);
});

test("MiniMax reads a character's portrait only: a scene with a product is refused, naming the scene and the group", () => {
  const problems = modelProblems(
    plan('minimax/video-01', {
      scenes: [
        { id: 'mara', prompt: 'Mara walks', durationSec: 6, entities: ['mara'] },
        { id: 'both', prompt: 'Mara holds Lumen', durationSec: 6, entities: ['mara', 'lumen'] },
      ],
    }),
    catalogue
  );
  assert.deepEqual(problems, [
    'scenes[1].entities: minimax/video-01 reads only character references (subject_reference); "lumen" is a product, so it would not reach the model',
  ]);
});

test('more groups than reference slots, an aspect ratio or a clip length the model does not make: each refused by field', () => {
  const crowded = planSchema.parse({
    model: 'google/veo-3.1',
    aspectRatio: '9:16',
    consistencyGroups: ['a', 'b', 'c', 'd'].map((id) => ({ id, kind: 'character', referenceImages: [`${id}.png`] })),
    scenes: [{ id: 's', prompt: 'p', durationSec: 4, entities: ['a', 'b', 'c', 'd'] }],
  });
  assert.deepEqual(modelProblems(crowded, catalogue), [
    'scenes[0].entities: google/veo-3.1 takes 3 reference images (reference_images) and this scene shows 4 groups; every group needs one, so split the scene or choose a model with more',
    'aspectRatio: google/veo-3.1 makes 16:9 only (aspect_ratio); "9:16" is not one',
    'scenes[0].durationSec: google/veo-3.1 makes clips of 8 s; 4 is not one',
  ]);
  const seedance = modelProblems(
    plan('bytedance/seedance-2.0', {
      scenes: [{ id: 's', prompt: 'p', durationSec: 3, entities: ['mara'] }],
    }),
    catalogue
  );
  assert.deepEqual(seedance, ['scenes[0].durationSec: bytedance/seedance-2.0 makes clips of 4 to 15 s; 3 is not one']);
});

test('a reference image the model refuses is named with its limit: Kling v3 Omni takes PNG or JPEG of 300 px, 1:2.5 to 2.5:1', () => {
  const omni = catalogue.models.find((m) => m.id === 'kwaivgi/kling-v3-omni-video')!;
  assert.equal(referenceLimitProblem(omni, { type: 'png', width: 512, height: 512 }), undefined);
  assert.equal(
    referenceLimitProblem(omni, { type: 'webp', width: 200, height: 640 }),
    'kwaivgi/kling-v3-omni-video takes PNG or JPEG, at least 300 px on each side, between 0.4:1 and 2.5:1 wide; this is a 200x640 WEBP'
  );
  const seedance = catalogue.models.find((m) => m.id === 'bytedance/seedance-2.0')!;
  assert.equal(
    referenceLimitProblem(seedance, { type: 'webp', width: 64, height: 64 }),
    undefined,
    'no limits recorded'
  );
});
