/** `pipeline: keyframe`: which models a plan may name for each step, and which the worker picks when it names none. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../common/catalogue-file';
import { describeIssues } from '../../schema/issues';
import { planSchema, type PlanInput } from '../../schema/plan';
import { keyframeModels, modelProblems } from '../../schema/plan-model-check';

const catalogue = loadCatalogue();

function plan(extra: Partial<PlanInput> = {}, entities: string[] = ['mara', 'lumen']) {
  return planSchema.parse({
    pipeline: 'keyframe',
    consistencyGroups: [
      { id: 'mara', kind: 'character', referenceImages: ['m1.png', 'm2.png'] },
      { id: 'lumen', kind: 'product', referenceImages: ['l1.png'] },
    ],
    scenes: [{ id: 's1', prompt: 'Mara holds Lumen', durationSec: 5, entities }],
    ...extra,
  });
}

test('a plan is direct unless it says keyframe, and keyframe settings without the keyframe pipeline are refused by field', () => {
  const direct = planSchema.parse({
    consistencyGroups: [{ id: 'a', kind: 'character', referenceImages: ['a.png'] }],
    scenes: [{ id: 's', prompt: 'p', entities: ['a'] }],
  });
  assert.equal(direct.pipeline, 'direct');
  assert.equal(direct.keyframe, undefined);
  const refused = planSchema.safeParse({ ...direct, pipeline: 'direct', keyframe: { model: 'zsxkib/instant-id' } });
  assert.ok(!refused.success);
  assert.match(describeIssues(refused.error), /^keyframe: applies only with pipeline "keyframe"/m);
});

test('with keyframes, model must animate a first frame and keyframe.model must be an image model; each named by field', () => {
  assert.deepEqual(
    modelProblems(
      plan({ model: 'kwaivgi/kling-v2.5-turbo-pro', keyframe: { model: 'runwayml/gen4-image' } }),
      catalogue
    ),
    []
  );
  const [video] = modelProblems(plan({ model: 'google/veo-3.1' }), catalogue);
  assert.match(video!, /^model: google\/veo-3\.1 does not animate a first frame; .*kwaivgi\/kling-v2\.5-turbo-pro/);
  const [image] = modelProblems(plan({ keyframe: { model: 'bytedance/seedance-2.0' } }), catalogue);
  assert.match(image!, /^keyframe\.model: bytedance\/seedance-2\.0 is not an image model .*zsxkib\/instant-id/);
  const [unknown] = modelProblems(plan({ keyframe: { model: 'nobody/nothing' } }), catalogue);
  assert.match(unknown!, /^keyframe\.model: unknown model "nobody\/nothing"/);
  // the face model reads characters only: a product in the scene cannot reach it
  const [face] = modelProblems(plan({ keyframe: { model: 'zsxkib/instant-id' } }), catalogue);
  assert.match(
    face!,
    /^scenes\[0\]\.entities: zsxkib\/instant-id reads only character references .*"lumen" is a product/
  );
  // and the clip's lengths are the animating model's
  const [length] = modelProblems(
    plan({
      model: 'kwaivgi/kling-v2.5-turbo-pro',
      scenes: [{ id: 's1', prompt: 'p', durationSec: 7, entities: ['mara'] }],
    }),
    catalogue
  );
  assert.match(
    length!,
    /^scenes\[0\]\.durationSec: kwaivgi\/kling-v2\.5-turbo-pro makes clips of 5 or 10 s; 7 is not one/
  );
});

test('a direct plan on a model that only animates a first frame, or makes images, is refused naming model', () => {
  for (const model of ['kwaivgi/kling-v2.5-turbo-pro', 'zsxkib/instant-id']) {
    const [problem] = modelProblems({ ...plan(), pipeline: 'direct', model }, catalogue);
    assert.match(problem!, new RegExp(`^model: ${model.replace(/[./]/g, '\\$&')} .*pipeline "keyframe"`));
  }
});

test('unset, the keyframe model is the first default that carries every scene: the face model for characters alone, else the multi-reference one', () => {
  assert.deepEqual(keyframeModels(plan({}, ['mara']), catalogue, 'hosted'), {
    model: 'kwaivgi/kling-v2.5-turbo-pro',
    keyframeModel: 'zsxkib/instant-id',
  });
  assert.deepEqual(keyframeModels(plan(), catalogue, 'hosted'), {
    model: 'kwaivgi/kling-v2.5-turbo-pro',
    keyframeModel: 'runwayml/gen4-image',
  });
  assert.deepEqual(keyframeModels(plan(), catalogue, 'emulator'), {
    model: 'scenegate/image-to-video',
    keyframeModel: 'scenegate/ip-adapter-image',
  });
  // what the plan names wins, and is then checked as named
  assert.deepEqual(keyframeModels(plan({ keyframe: { model: 'zsxkib/instant-id' } }), catalogue, 'hosted'), {
    model: 'kwaivgi/kling-v2.5-turbo-pro',
    keyframeModel: 'zsxkib/instant-id',
  });
});
