import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../common/catalogue-file';
import { outputSeconds, toModelInput } from '../../activities/model-input';
import { predictionCostUsd } from '../../activities/prediction-cost';
import { validateInput } from '../../emulator/input-validation';
import { emulatedModels } from '../../emulator/models';
import type { SceneClipRequest } from '../../schema/activities';

const catalogue = loadCatalogue();
const videoModels = catalogue.models.filter((m) => emulatedModels.find((e) => e.id === m.id)?.kind === 'video');

const request = (overrides: Partial<SceneClipRequest> = {}): SceneClipRequest => ({
  generationId: 'g',
  sceneId: 's1',
  attempt: 1,
  model: 'scenegate/ip-adapter-video',
  prompt: 'Mara holds the bottle',
  negativePrompt: 'blurry',
  references: [
    { groupId: 'mara', urls: ['https://example.com/mara-1.png', 'https://example.com/mara-2.png'] },
    { groupId: 'lumen', urls: ['https://example.com/lumen.png'] },
  ],
  strength: 0.6,
  seed: 42,
  durationSec: 4,
  aspectRatio: '16:9',
  ...overrides,
});

test('every catalogued video model gets an input its own schema accepts', () => {
  assert.ok(videoModels.length >= 4, 'the local model, Kling, MiniMax and Veo');
  for (const entry of videoModels) {
    const input = toModelInput(entry, request({ model: entry.id }));
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

test('a model that takes one subject image gets the first reference; durations snap to what a model offers', () => {
  const minimax = catalogue.models.find((m) => m.id === 'minimax/video-01')!;
  assert.equal(
    toModelInput(minimax, request({ model: minimax.id })).subject_reference,
    'https://example.com/mara-1.png'
  );
  const kling = catalogue.models.find((m) => m.id === 'kwaivgi/kling-v1.6-pro')!;
  assert.equal(outputSeconds(kling, 4), 5);
  assert.equal(outputSeconds(kling, 9), 10);
});

test('what an attempt costs: billed output on success and failure, nothing for one that never started', () => {
  const pricing = { kind: 'per-output-second', usd: 0.05 } as const;
  const started = '2026-11-25T00:00:00Z';
  assert.equal(predictionCostUsd(pricing, { status: 'succeeded', started_at: started, metrics: {} }, 4), 0.2);
  assert.equal(predictionCostUsd(pricing, { status: 'failed', started_at: started, metrics: {} }, 4), 0.2);
  assert.equal(predictionCostUsd(pricing, { status: 'canceled', started_at: started, metrics: {} }, 4), 0.2);
  assert.equal(predictionCostUsd(pricing, { status: 'canceled', started_at: undefined, metrics: {} }, 4), 0);
  assert.equal(predictionCostUsd(pricing, { status: 'aborted', started_at: undefined, metrics: {} }, 4), 0);
  const perSecond = { kind: 'per-predict-second', usd: 0.001, estimatePredictSecPerOutputSec: 6 } as const;
  assert.equal(
    predictionCostUsd(perSecond, { status: 'succeeded', started_at: started, metrics: { predict_time: 30 } }, 4),
    0.03
  );
});
