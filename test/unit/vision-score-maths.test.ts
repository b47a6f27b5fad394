import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AGREEMENT,
  calibratedScore,
  PASS_SCORE,
  calibrate,
  CHANCE_INLIERS,
  clipFinding,
  euclidean,
  faceScore,
  framesAgree,
  HALF_INLIERS,
  inlierScore,
  rocAuc,
  sampleTimes,
} from '../../media/vision/score-maths';
import { plausibleHomography } from '../../media/vision/objects';
import { mirrored, padded } from '../../media/vision/vision-scorer';

test('a face scores 1 - its distance to the nearest reference descriptor, clamped to 0..1', () => {
  const face = [0, 0, 0];
  assert.equal(euclidean(face, [3, 4, 0]), 5);
  assert.equal(faceScore(face, [[0.3, 0.4, 0]]), 0.5);
  // the best of several reference views counts
  assert.equal(
    faceScore(face, [
      [0.6, 0.8, 0],
      [0, 0.2, 0],
    ]),
    0.8
  );
  assert.equal(faceScore(face, [[3, 4, 0]]), 0, 'farther than 1 is 0, not negative');
});

test('inliers at chance level score 0; HALF_INLIERS above it score 0.5; more approach 1', () => {
  assert.equal(inlierScore(0), 0);
  assert.equal(inlierScore(CHANCE_INLIERS), 0);
  assert.equal(inlierScore(CHANCE_INLIERS + HALF_INLIERS), 0.5);
  assert.ok(inlierScore(200) > 0.9 && inlierScore(200) < 1);
  assert.ok(inlierScore(30) > inlierScore(20), 'monotonic');
});

test('frames without the subject are counted apart, not averaged in as zeros', () => {
  const finding = clipFinding([
    { atSec: 0.5, score: 0.8 },
    { atSec: 1.5, score: null },
    { atSec: 2.5, score: 0.6 },
  ]);
  assert.deepEqual(finding, { score: 0.7, framesSampled: 3, framesWithSubject: 2, lowestFrameSec: 2.5 });
  assert.deepEqual(clipFinding([{ atSec: 1, score: null }]), { score: 0, framesSampled: 1, framesWithSubject: 0 });
});

test('two frames that agree within AGREEMENT stop the sampling; a missing subject never does', () => {
  assert.equal(framesAgree([{ atSec: 1, score: 0.7 }]), false, 'one frame is not agreement');
  assert.equal(
    framesAgree([
      { atSec: 1, score: 0.7 },
      { atSec: 2, score: 0.7 + AGREEMENT / 2 },
    ]),
    true
  );
  assert.equal(
    framesAgree([
      { atSec: 1, score: 0.7 },
      { atSec: 2, score: 0.7 + AGREEMENT * 2 },
    ]),
    false
  );
  assert.equal(
    framesAgree([
      { atSec: 1, score: null },
      { atSec: 2, score: null },
    ]),
    false
  );
});

test('frames are sampled at the middle of equal slices, away from the fades at the ends', () => {
  assert.deepEqual(sampleTimes(6, 3), [1, 3, 5]);
});

test('ROC AUC is the chance a same pair outscores a different pair, ties half', () => {
  assert.equal(rocAuc([0.9, 0.8], [0.1, 0.2]), 1);
  assert.equal(rocAuc([0.1], [0.9]), 0);
  assert.equal(rocAuc([0.5], [0.5]), 0.5);
  assert.equal(rocAuc([0.9, 0.3], [0.5]), 0.5);
  assert.ok(Number.isNaN(rocAuc([], [0.5])));
});

test('calibration picks the threshold of best TPR - FPR, between the scores it separates', () => {
  const c = calibrate([0.7, 0.8, 0.9], [0.1, 0.2, 0.6]);
  assert.equal(c.threshold, 0.65);
  assert.equal(c.truePositiveRate, 1);
  assert.equal(c.falsePositiveRate, 0);
  const overlap = calibrate([0.5, 0.9], [0.6, 0.1]);
  assert.ok(overlap.truePositiveRate - overlap.falsePositiveRate === 0.5, 'one of each side is the best any cut does');
});

test('a homography that mirrors, collapses or blows up the reference is not a find', () => {
  assert.equal(plausibleHomography([1, 0, 5, 0, 1, 7, 0, 0, 1]), true);
  assert.equal(plausibleHomography([0.3, 0, 0, 0, 0.3, 0, 0, 0, 1]), true, 'a third of the size');
  assert.equal(plausibleHomography([-1, 0, 0, 0, 1, 0, 0, 0, 1]), false, 'mirrored');
  assert.equal(plausibleHomography([0.01, 0, 0, 0, 0.01, 0, 0, 0, 1]), false, 'collapsed');
  assert.equal(plausibleHomography([Number.NaN, 0, 0, 0, 1, 0, 0, 0, 1]), false);
});

test('a reference is padded on a grey canvas and mirrored pixel for pixel', () => {
  const image = { width: 2, height: 1, data: Buffer.from([1, 2, 3, 4, 5, 6]) };
  const pad = padded(image, 0.5);
  assert.equal(pad.width, 4);
  assert.equal(pad.height, 3);
  assert.deepEqual([...pad.data.subarray((1 * 4 + 1) * 3, (1 * 4 + 3) * 3)], [1, 2, 3, 4, 5, 6]);
  assert.equal(pad.data[0], 128);
  assert.deepEqual([...mirrored(image).data], [4, 5, 6, 1, 2, 3]);
});

test("a kind's calibrated threshold scores the plan's default threshold, and the order of scores is kept", () => {
  assert.equal(calibratedScore(0.422, 0.422), PASS_SCORE);
  assert.equal(calibratedScore(0, 0.422), 0);
  assert.equal(calibratedScore(1, 0.262), 1);
  const raws = [0.05, 0.2, 0.3, 0.421, 0.5, 0.9];
  const scores = raws.map((r) => calibratedScore(r, 0.422));
  assert.deepEqual(
    [...scores].sort((a, b) => a - b),
    scores
  );
  assert.ok(scores.slice(0, 4).every((s) => s < PASS_SCORE) && scores.slice(4).every((s) => s > PASS_SCORE));
});
