/**
 * The `vision` scorer's arithmetic, apart from the models so it can be tested alone: how a
 * face distance or an inlier count becomes a 0..1 score, how frames make a clip's score, and
 * the ROC figures the evaluation calibrates thresholds with.
 */

/** Euclidean distance of two descriptors. */
export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum);
}

/**
 * A face's score against a reference: 1 - the smallest euclidean distance between its
 * descriptor and any of the reference's, clamped to 0..1. face-api's recognition net puts two
 * photos of one person at about 0.3-0.5 apart and two people at 0.7 or more, so 0.5 is about
 * where identities part (the threshold is calibrated in eval/, see docs/scorers.md).
 */
export function faceScore(face: ArrayLike<number>, references: readonly ArrayLike<number>[]): number {
  const distance = Math.min(...references.map((r) => euclidean(face, r)));
  return clamp01(1 - distance);
}

/** Inliers that random matches reach now and then (RANSAC fits 4 points to anything). */
export const CHANCE_INLIERS = 6;
/** Inliers above chance at which a product's score is 0.5. */
export const HALF_INLIERS = 12;

/**
 * A product's or style's score in one frame from its RANSAC inliers: 0 at chance level or
 * below, 0.5 at HALF_INLIERS above it, approaching 1 as more of its surface is found.
 */
export function inlierScore(inliers: number): number {
  const above = Math.max(0, inliers - CHANCE_INLIERS);
  return above / (above + HALF_INLIERS);
}

/** The score the plan's default `gate.threshold` (schema/plan.ts) asks for: a calibrated score passes at it. */
export const PASS_SCORE = 0.6;

/**
 * A raw measure mapped onto the plan's scale: 0 stays 0, `rawThreshold` (the kind's calibrated
 * threshold) becomes PASS_SCORE, 1 stays 1, linear in between; the order of scores, and so the
 * ROC figures, is unchanged.
 */
export function calibratedScore(raw: number, rawThreshold: number): number {
  const score =
    raw < rawThreshold
      ? (raw / rawThreshold) * PASS_SCORE
      : PASS_SCORE + ((raw - rawThreshold) / (1 - rawThreshold)) * (1 - PASS_SCORE);
  return round3(clamp01(score));
}

/** How a clip's frames make its score: their mean, or the best one's. */
export type FrameAggregate = 'mean' | 'max';

/** One sampled frame's finding for one reference: null when the subject was not found in it at all. */
export interface FrameFinding {
  atSec: number;
  score: number | null;
}

/** A reference's score over a clip, and what stands behind it. */
export interface ClipFinding {
  /** Mean over the frames the subject was found in; 0 when it was found in none. */
  score: number;
  framesSampled: number;
  framesWithSubject: number;
  /** When the subject's lowest-scoring frame is (unset when it was found in none). */
  lowestFrameSec?: number;
}

/**
 * A reference's clip score from its frames: frames where the subject is missing (no face
 * found) say nothing about identity and are counted apart, not averaged in as zeros.
 */
export function clipFinding(frames: readonly FrameFinding[], over: FrameAggregate = 'mean'): ClipFinding {
  const seen = frames.filter((f): f is { atSec: number; score: number } => f.score !== null);
  if (seen.length === 0) return { score: 0, framesSampled: frames.length, framesWithSubject: 0 };
  const lowest = seen.reduce((a, b) => (b.score < a.score ? b : a));
  return {
    score: round3(
      over === 'max' ? Math.max(...seen.map((f) => f.score)) : seen.reduce((sum, f) => sum + f.score, 0) / seen.length
    ),
    framesSampled: frames.length,
    framesWithSubject: seen.length,
    lowestFrameSec: round3(lowest.atSec),
  };
}

/** How far apart two frames' scores may be for the scorer to trust them and skip the rest. */
export const AGREEMENT = 0.08;

/** True when the frames scored so far agree closely enough that more frames would not change the verdict. */
export function framesAgree(frames: readonly FrameFinding[]): boolean {
  const scores = frames.map((f) => f.score);
  if (scores.length < 2 || scores.some((s) => s === null)) return false;
  const values = scores as number[];
  return Math.max(...values) - Math.min(...values) <= AGREEMENT;
}

/** Times of `count` frames spread evenly over a clip, at the middle of equal slices (skipping fades at the ends). */
export function sampleTimes(durationSec: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => ((i + 0.5) * durationSec) / count);
}

/**
 * Area under the ROC curve: the chance that a random same-identity pair scores above a random
 * different-identity pair (ties count half).
 */
export function rocAuc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return Number.NaN;
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

/** A threshold and what it does on a labelled set: a score at or above it passes. */
export interface Calibration {
  threshold: number;
  truePositiveRate: number;
  falsePositiveRate: number;
}

/**
 * The threshold that best separates the two sets (highest TPR - FPR, Youden's J), placed
 * halfway between the two scores it falls between so a new score on either side keeps its side.
 */
export function calibrate(positives: readonly number[], negatives: readonly number[]): Calibration {
  const all = [...new Set([...positives, ...negatives])].sort((a, b) => a - b);
  const cuts = [all[0]! - 0.001, ...all.slice(1).map((v, i) => (v + all[i]!) / 2), all[all.length - 1]! + 0.001];
  let best: Calibration = { threshold: 0, truePositiveRate: 0, falsePositiveRate: 0 };
  let bestJ = -Infinity;
  for (const cut of cuts) {
    const tpr = positives.filter((p) => p >= cut).length / positives.length;
    const fpr = negatives.filter((n) => n >= cut).length / negatives.length;
    if (tpr - fpr > bestJ) {
      bestJ = tpr - fpr;
      best = { threshold: round3(cut), truePositiveRate: tpr, falsePositiveRate: fpr };
    }
  }
  return best;
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
