/** The two calls of a keyframe attempt: the keyframe from an image model, then its clip from an image-to-video model. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../common/catalogue-file';
import type { PreparedReference } from '../../schema/activities';
import { planSchema } from '../../schema/plan';
import { clipCallSpec, clipEstimateUsd, keyframeCallSpec, keyframeEstimateUsd } from '../../workflows/rules/call-specs';

const catalogue = loadCatalogue();
const model = (id: string) => catalogue.models.find((m) => m.id === id)!;

const plan = planSchema.parse({
  pipeline: 'keyframe',
  aspectRatio: '9:16',
  consistencyGroups: [
    { id: 'mara', kind: 'character', referenceImages: ['m1.png', 'm2.png'] },
    { id: 'lumen', kind: 'product', referenceImages: ['l1.png'] },
  ],
  scenes: [
    { id: 'both', prompt: 'Mara holds Lumen', negativePrompt: 'blurry', durationSec: 5, entities: ['mara', 'lumen'] },
    { id: 'mara', prompt: 'Mara smiles', durationSec: 10, entities: ['mara'] },
  ],
});
const [both, maraAlone] = plan.scenes as [(typeof plan.scenes)[0], (typeof plan.scenes)[0]];
const references: PreparedReference[] = [
  { groupId: 'mara', source: 'm1.png', url: 'https://f/m1', localPath: 'm1', sha256: 'a' },
  { groupId: 'mara', source: 'm2.png', url: 'https://f/m2', localPath: 'm2', sha256: 'b' },
  { groupId: 'lumen', source: 'l1.png', url: 'https://f/l1', localPath: 'l1', sha256: 'c' },
];
const first = { strength: 0.6, seed: 42, escalation: 0 };

test('a keyframe gets the scene, every reference and the strength as its IP-Adapter scale; it is priced per run on 0 output seconds', () => {
  const spec = keyframeCallSpec(model('scenegate/ip-adapter-image'), plan, both, references, first);
  assert.deepEqual(spec.input, {
    prompt: 'Mara holds Lumen',
    negative_prompt: 'blurry',
    reference_images: ['https://f/m1', 'https://f/m2', 'https://f/l1'],
    ip_adapter_scale: 0.6,
    seed: 42,
    aspect_ratio: '9:16',
  });
  assert.equal(spec.outputSec, 0);
  assert.equal(spec.model, 'scenegate/ip-adapter-image');
  assert.equal(keyframeEstimateUsd(model('scenegate/ip-adapter-image'), both), 0.03);
  // a gate miss raises the scale: what "stronger" literally means on an IP-Adapter model
  const stronger = keyframeCallSpec(model('scenegate/ip-adapter-image'), plan, both, references, {
    ...first,
    strength: 0.75,
    escalation: 1,
  });
  assert.equal(stronger.input.ip_adapter_scale, 0.75);
});

test('InstantID gets the face image alone, the scale and its pinned version; Gen-4 Image gets both groups and no scale', () => {
  const face = keyframeCallSpec(model('zsxkib/instant-id'), plan, maraAlone, references, first);
  assert.equal(face.version, 'f1ca369da43885a347690a98f6b710afbf5f167cb9bf13bd5af512ba4a9f7b63');
  assert.deepEqual(face.input, {
    output_format: 'png',
    num_outputs: 1,
    prompt: 'Mara smiles',
    image: 'https://f/m1',
    ip_adapter_scale: 0.6,
    seed: 42,
  });
  assert.equal(keyframeEstimateUsd(model('zsxkib/instant-id'), maraAlone), 0.07);
  const multi = keyframeCallSpec(model('runwayml/gen4-image'), plan, both, references, first);
  assert.deepEqual(multi.input.reference_images, ['https://f/m1', 'https://f/m2', 'https://f/l1']);
  assert.equal(multi.input.ip_adapter_scale, undefined);
  // without a scale, a miss changes the seed and which references go first, as on a direct hosted model
  const missed = keyframeCallSpec(model('runwayml/gen4-image'), plan, both, references, { ...first, escalation: 1 });
  assert.notDeepEqual(missed.input, multi.input);
});

test('the clip of a keyframe attempt gets the keyframe as its first frame and no references; without one it is the direct clip', () => {
  const kling = model('kwaivgi/kling-v2.5-turbo-pro');
  const spec = clipCallSpec(kling, plan, maraAlone, references, first, 'https://f/keyframe.png');
  assert.deepEqual(spec.input, {
    prompt: 'Mara smiles',
    start_image: 'https://f/keyframe.png',
    duration: 10,
    aspect_ratio: '9:16',
  });
  assert.equal(spec.outputSec, 10);
  assert.ok(Math.abs(clipEstimateUsd(kling, maraAlone) - 0.7) < 1e-9, 'ten seconds at $0.07');
  const local = clipCallSpec(model('scenegate/image-to-video'), plan, both, references, first, 'https://f/k.png');
  assert.equal(local.input.start_image, 'https://f/k.png');
  assert.equal(local.input.reference_images, undefined);
  // Seedance takes a first frame or references, never both: the keyframe wins
  const seedance = clipCallSpec(model('bytedance/seedance-2.0'), plan, both, references, first, 'https://f/k.png');
  assert.equal(seedance.input.image, 'https://f/k.png');
  assert.equal(seedance.input.reference_images, undefined);
  assert.doesNotMatch(String(seedance.input.prompt), /\[Image1\]/);
  const direct = clipCallSpec(model('bytedance/seedance-2.0'), plan, both, references, first);
  assert.equal(direct.input.image, undefined);
  assert.deepEqual(direct.input.reference_images, ['https://f/m1', 'https://f/m2', 'https://f/l1']);
});
