import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../common/catalogue-file';
import { validateInput } from '../../emulator/input-validation';
import { emulatedModels } from '../../emulator/models';
import { billUsd } from '../../emulator/billing';
import { outputSeconds, toModelInput, type SceneModelRequest } from '../../schema/model-input';
import { predictionCostUsd, type PredictionSnapshot } from '../../schema/prediction';

const catalogue = loadCatalogue();
// the models a direct scene attempt runs on: video models that take references
const videoModels = catalogue.models.filter(
  (m) => emulatedModels.find((e) => e.id === m.id)?.kind === 'video' && m.inputs.referenceImages !== undefined
);

const model = (id: string) => catalogue.models.find((m) => m.id === id)!;

const request = (overrides: Partial<SceneModelRequest> = {}): SceneModelRequest => ({
  prompt: 'Mara holds the bottle',
  negativePrompt: 'blurry',
  references: [
    { groupId: 'mara', kind: 'character', urls: ['https://example.com/mara-1.png', 'https://example.com/mara-2.png'] },
    { groupId: 'lumen', kind: 'product', urls: ['https://example.com/lumen.png'] },
  ],
  strength: 0.6,
  seed: 42,
  durationSec: 4,
  aspectRatio: '16:9',
  escalation: 0,
  ...overrides,
});

test('every catalogued video model gets an input its own schema accepts', () => {
  assert.ok(videoModels.length >= 4, 'the local model, Kling, MiniMax and Veo');
  for (const entry of videoModels) {
    const input = toModelInput(entry, request());
    const checked = validateInput(
      emulatedModels.find((m) => m.id === entry.id)!,
      input
    );
    assert.ok(checked.ok, `${entry.id}: ${JSON.stringify(!checked.ok && checked.invalid)}`);
  }
});

test('the local model gets every reference in plan order, the strength as its scale, and the shared seed', () => {
  const input = toModelInput(
    catalogue.models.find((m) => m.id === 'scenegate/ip-adapter-video')!,
    request({ strength: 0.75 })
  );
  assert.deepEqual(input.reference_images, [
    'https://example.com/mara-1.png',
    'https://example.com/mara-2.png',
    'https://example.com/lumen.png',
  ]);
  assert.equal(input.ip_adapter_scale, 0.75);
  assert.equal(input.seed, 42);
  assert.equal(input.duration, 4);
  assert.equal(input.negative_prompt, 'blurry');
});

test("a model that takes one character portrait gets the character's, never the product's; durations snap to what a model offers", () => {
  const minimax = model('minimax/video-01');
  const productFirst = request({ references: [...request().references].reverse() });
  assert.equal(toModelInput(minimax, productFirst).subject_reference, 'https://example.com/mara-1.png');
  const seedance = model('bytedance/seedance-2.0');
  assert.equal(outputSeconds(seedance, 2), 4);
  assert.equal(outputSeconds(seedance, 20), 15);
  assert.equal(outputSeconds(model('google/veo-3.1'), 4), 8);
});

test('every group reaches a model with fewer slots than images: one each first, then by turn', () => {
  const four = ['1', '2', '3', '4'].map((n) => `https://example.com/mara-${n}.png`);
  const scene = request({
    references: [
      { groupId: 'mara', kind: 'character', urls: four },
      {
        groupId: 'lumen',
        kind: 'product',
        urls: ['https://example.com/lumen-1.png', 'https://example.com/lumen-2.png'],
      },
    ],
  });
  // Veo takes 3: two of Mara's, one of the bottle's, grouped as the prompt names them
  assert.deepEqual(toModelInput(model('google/veo-3.1'), scene).reference_images, [
    'https://example.com/mara-1.png',
    'https://example.com/mara-2.png',
    'https://example.com/lumen-1.png',
  ]);
  const seedance = toModelInput(model('bytedance/seedance-2.0'), scene);
  assert.equal((seedance.reference_images as string[]).length, 6, 'Seedance takes 9: all six');
  assert.match(
    String(seedance.prompt),
    /Reference images: \[Image1\], \[Image2\], \[Image3\] and \[Image4\] show mara; \[Image5\] and \[Image6\] show lumen\.$/
  );
  const omni = toModelInput(model('kwaivgi/kling-v3-omni-video'), scene);
  assert.match(String(omni.prompt), /<<<image_5>>> and <<<image_6>>> show lumen/);
});

test('on every catalogue model a gate miss changes what is sent: the strength where the model has one, else seed, references and prompt', () => {
  for (const entry of videoModels) {
    const first = toModelInput(entry, request());
    const after = toModelInput(entry, request({ escalation: 1, strength: 0.75 }));
    assert.notDeepEqual(after, first, entry.id);
    if (entry.inputs.referenceStrength) {
      assert.equal(after.prompt, first.prompt, `${entry.id}: its strength says it`);
      continue;
    }
    assert.match(
      String(after.prompt),
      /Keep mara and lumen exactly as in the reference images\.|Keep mara exactly/,
      entry.id
    );
    if (entry.inputs.seed) assert.equal(after[entry.inputs.seed], 43, `${entry.id}: a new seed`);
  }
  // a group with more images than its share sends others after a miss
  const veo = model('google/veo-3.1');
  assert.deepEqual(toModelInput(veo, request({ escalation: 1 })).reference_images, [
    'https://example.com/mara-2.png',
    'https://example.com/mara-1.png',
    'https://example.com/lumen.png',
  ]);
});

const prediction = (
  status: PredictionSnapshot['status'],
  startedAt: string | null,
  predictTimeSec: number | null = null
) => ({
  status,
  startedAt,
  predictTimeSec,
});

test('what an attempt costs, from the prediction: its output once started, nothing if it never started', () => {
  const pricing = { kind: 'per-output-second', usd: 0.05 } as const;
  const started = '2026-11-25T00:00:00Z';
  assert.equal(predictionCostUsd(pricing, prediction('succeeded', started), 4), 0.2);
  assert.equal(predictionCostUsd(pricing, prediction('failed', started), 4), 0.2);
  assert.equal(predictionCostUsd(pricing, prediction('canceled', started), 4), 0.2);
  assert.equal(predictionCostUsd(pricing, prediction('canceled', null), 4), 0);
  assert.equal(predictionCostUsd(pricing, prediction('aborted', null), 4), 0);
  const perSecond = { kind: 'per-predict-second', usd: 0.001, estimatePredictSecPerOutputSec: 6 } as const;
  assert.equal(predictionCostUsd(perSecond, prediction('succeeded', started, 30), 4), 0.03);
  assert.equal(
    predictionCostUsd(perSecond, prediction('canceled', started, 1.5), 4),
    0.0015,
    'what it ran, not the estimate'
  );
});

test('scenegate books exactly what the emulator bills, for every status and kind of price', () => {
  const prices = [
    [{ perOutputSecondUsd: 0.05 }, { kind: 'per-output-second', usd: 0.05 }],
    [{ perRunUsd: 0.5 }, { kind: 'per-run', usd: 0.5 }],
    [{ perPredictSecondUsd: 0.002 }, { kind: 'per-predict-second', usd: 0.002, estimatePredictSecPerOutputSec: 5 }],
  ] as const;
  for (const [price, pricing] of prices) {
    for (const status of ['succeeded', 'failed', 'canceled', 'aborted'] as const) {
      for (const started of [true, false]) {
        if (status !== 'canceled' && status !== 'aborted' && !started) continue;
        const billed = billUsd(price, { status, started, outputSec: 4, predictSec: 7.5 }, true).usd;
        const booked = predictionCostUsd(pricing, prediction(status, started ? 'x' : null, started ? 7.5 : null), 4);
        assert.ok(
          Math.abs(billed - booked) < 1e-9,
          `${JSON.stringify(price)} ${status} started=${started}: billed ${billed}, booked ${booked}`
        );
      }
    }
  }
});
