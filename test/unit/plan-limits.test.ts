import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidPlanError, validatePlan } from '../../client/load-plan';
import { loadCatalogue } from '../../common/catalogue-file';
import { predictionSettledSchema, retrySceneSchema } from '../../schema/messages';
import { planLimits, type PlanInput } from '../../schema/plan';

const { referenceLength, referencesPerGroup, groups, scenes, promptLength, sceneAttempts } = planLimits;

/** A plan at every limit at once: the largest one scenegate accepts. */
function maximal(): PlanInput {
  const ids = Array.from({ length: groups }, (_, i) => `group-${i + 1}`);
  return {
    generationId: 'g'.repeat(100),
    consistencyGroups: ids.map((id) => ({
      id,
      kind: 'character',
      referenceImages: Array.from({ length: referencesPerGroup }, (_, j) =>
        `https://example.com/${id}-${j}?sig=`.padEnd(referenceLength, 'x')
      ),
      description: 'd'.repeat(500),
    })),
    scenes: Array.from({ length: scenes }, (_, i) => ({
      id: `scene-${i + 1}`,
      prompt: 'p'.repeat(promptLength),
      negativePrompt: 'n'.repeat(promptLength),
      entities: [...ids],
    })),
    retry: { maxAttemptsPerScene: Math.floor(sceneAttempts / scenes) },
  };
}

function rejection(input: unknown): string {
  try {
    validatePlan(input);
  } catch (err) {
    assert.ok(err instanceof InvalidPlanError, `expected InvalidPlanError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('the plan was accepted');
}

test('the largest plan accepted fits in one payload, and its attempts in one history', () => {
  const plan = maximal();
  validatePlan(plan);
  const planBytes = Buffer.byteLength(JSON.stringify(plan));
  assert.ok(planBytes < 2_000_000, `the plan is one payload under Temporal's 2 MB, got ${planBytes} bytes`);
  // what every attempt records: its model input with as many reference URLs as the widest model
  // takes, both prompts, and the events of its create, end and collection (4.9 KB measured on
  // the dev server with 12 scenes), then the plan itself once; a keyframe attempt records two
  // inputs (the keyframe's references, the clip's first frame) and two calls' events
  const widest = Math.max(...loadCatalogue().models.map((m) => m.inputs.referenceImages?.max ?? 1));
  const attemptBytes = (widest + 1) * referenceLength + 4 * promptLength + 2 * 5_000;
  const historyBytes = sceneAttempts * attemptBytes + planBytes;
  assert.ok(historyBytes < 25_000_000, `at most half of Temporal's 50 MB history, got ${historyBytes} bytes`);
});

test('each limit is refused where it is written, naming the field and the limit', () => {
  const cases: [(p: PlanInput) => void, string][] = [
    [
      (p) => (p.consistencyGroups[0]!.referenceImages[0] = 'https://example.com/'.padEnd(150_000, 'x')),
      `consistencyGroups[0].referenceImages[0]: must be at most ${referenceLength} characters`,
    ],
    [
      (p) => p.consistencyGroups[0]!.referenceImages.push('one-too-many.png'),
      `consistencyGroups[0].referenceImages: takes at most ${referencesPerGroup} reference images`,
    ],
    [
      (p) => p.consistencyGroups.push({ id: 'one-too-many', kind: 'style', referenceImages: ['x.png'] }),
      `consistencyGroups: takes at most ${groups} consistency groups`,
    ],
    [(p) => p.scenes.push({ ...p.scenes[0]!, id: 'one-too-many' }), `scenes: takes at most ${scenes} scenes`],
    [(p) => (p.scenes[3]!.prompt += 'p'), `scenes[3].prompt: must be at most ${promptLength} characters`],
    [
      (p) => (p.scenes[3]!.negativePrompt += 'n'),
      `scenes[3].negativePrompt: must be at most ${promptLength} characters`,
    ],
    [(p) => p.scenes[0]!.entities!.push('group-1'), `scenes[0].entities: names at most ${groups} consistency groups`],
    [
      (p) => (p.retry = { maxAttemptsPerScene: Math.floor(sceneAttempts / scenes) + 1 }),
      `retry.maxAttemptsPerScene: ${scenes} scenes × ${Math.floor(sceneAttempts / scenes) + 1} attempts is ${scenes * (Math.floor(sceneAttempts / scenes) + 1)}; one run's history holds at most ${sceneAttempts} attempts (Temporal ends a run at 50 MB): use fewer scenes or attempts`,
    ],
  ];
  for (const [change, message] of cases) {
    const plan = maximal();
    change(plan);
    assert.equal(rejection(plan), message);
  }
});

test("operators' messages are bounded too, and a call key holds no line break", () => {
  assert.equal(retrySceneSchema.safeParse({ sceneId: 's'.repeat(101) }).success, false);
  const prediction = {
    id: 'p1',
    status: 'succeeded',
    output: null,
    error: null,
    createdAt: '2026-12-05T00:00:00Z',
    startedAt: null,
    completedAt: null,
    predictTimeSec: null,
    dataRemoved: false,
  };
  assert.equal(predictionSettledSchema.safeParse({ key: 's1#2/score#1', prediction }).success, true);
  const forged = predictionSettledSchema.safeParse({ key: 's1#1\n2026-12-05 ERROR forged', prediction });
  assert.equal(forged.success, false);
});
