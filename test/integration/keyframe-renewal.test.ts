/**
 * A keyframe published through the Files API lives as long as an upload does (24 hours on hosted
 * Replicate); a storyboard may hold it for a person as long as `gate.approvalTimeout`. Here uploads
 * live 3 s and the storyboard is released after the keyframes' uploads expired: each keyframe is
 * published again before its clip is created, and the clips are made from the new URLs.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { createReplicateClient } from '../../activities/replicate/client';
import { FailureType } from '../../schema/failures';
import { billedUsd } from '../helpers/drift';
import { isWorkflowFailure } from '../helpers/failures';
import { recordHistory } from '../helpers/histories';
import { waitForProgress } from '../helpers/wait';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';

const FILE_TTL_MS = 3000;
let env: GenerationEnv;

before(async () => {
  env = await useGenerationEnv(import.meta.url, { dressRehearsal: true, fileTtlMs: FILE_TTL_MS });
});
after(async () => {
  await env?.teardown();
});

const plan = (name: string) =>
  testPlan(`${name}-${Date.now()}`, 2, {
    pipeline: 'keyframe',
    keyframe: { storyboard: 'approve' },
    strategy: { mode: 'parallel' },
    gate: { enabled: true, threshold: 0.6, maxAttempts: 1, scorer: 'local' },
    retry: { maxAttemptsPerScene: 1 },
    onSceneFailure: 'fail-fast',
  });

/** Waits for both keyframes on the storyboard, then until their uploads are gone, as a day's wait would leave them. */
async function heldPastTheirUploads(handle: Awaited<ReturnType<GenerationEnv['generations']['start']>>) {
  await waitForProgress(
    handle,
    (p) => p.waitingOn.some((w) => w.kind === 'storyboard' && w.sceneIds.length === 2),
    180_000
  );
  await new Promise((resolve) => setTimeout(resolve, FILE_TTL_MS + 500));
}

const madeBy = (model: string, since: number) =>
  env.emulator
    .stats()
    .predictions.slice(since)
    .filter((p) => p.model === model);

test('a keyframe held past its upload is published again before its clip: the clips are made from URLs that work', async () => {
  const since = env.emulator.stats().predictions.length;
  const replicate = createReplicateClient(env.deps.connection);
  const result = await env.withWorker(async () => {
    const handle = await env.generations.start(plan('keyframe-renewal'));
    await heldPastTheirUploads(handle);
    await handle.releaseStoryboard('after a day');
    const done = await handle.result();
    await recordHistory('keyframe-renewal', handle.workflow);
    return done;
  });
  assert.equal(result.status, 'succeeded');
  const keyframeUrls = await Promise.all(
    madeBy('scenegate/ip-adapter-image', since).map(async (p) => {
      const output = (await replicate.predictions.get(p.id)).output as string[] | string;
      return Array.isArray(output) ? output[0] : output;
    })
  );
  const clips = madeBy('scenegate/image-to-video', since);
  assert.equal(clips.length, 2, 'one clip per scene, none failed on its first frame');
  for (const clip of clips) {
    const input = (await replicate.predictions.get(clip.id)).input as Record<string, unknown>;
    const sent = JSON.stringify(input);
    assert.match(sent, /\/files\//, "the first frame is an upload of scenegate's copy");
    for (const url of keyframeUrls) assert.ok(!sent.includes(String(url)), "never the prediction's own output");
  }
  assert.equal(result.costUsd, billedUsd(env), 'booked = billed');
});

test('without it, a clip is created from the expired upload and its model fails on it', async () => {
  const activities = {
    ...createActivities(env.deps),
    // final at once, as an upload refused for good is (a plain error would be retried for minutes)
    renewKeyframe: async () => {
      throw ApplicationFailure.nonRetryable('publishing switched off for this test');
    },
  };
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan('no-keyframe-renewal'));
    await heldPastTheirUploads(handle);
    await handle.releaseStoryboard();
    await assert.rejects(handle.result(), isWorkflowFailure(FailureType.SceneFailed, /expired or deleted file/));
  }, activities);
});
