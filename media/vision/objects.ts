import type { RgbImage } from '../raw-image';
import { requireVisionPackage } from './vision-packages';

/** The OpenCV.js calls this module makes (its typings are large and loose). */
/* eslint-disable @typescript-eslint/no-explicit-any */
type Cv = any;

/**
 * The local features products and styles are described by: AKAZE (a nonlinear scale space,
 * binary MLDB descriptors), or ORB, the earlier default, kept for `eval:scorer --features orb`
 * (eval: AUC 0.908 against 0.893, at about 1.5 times the CPU; docs/scorers.md).
 */
export type ObjectFeatureKind = 'orb' | 'akaze';

/** ORB's features per image: more find small objects, at more CPU. */
const ORB_FEATURES = 1500;
/**
 * AKAZE's detector response threshold (OpenCV's default 0.001): the default finds too few
 * corners in a blurred, low-contrast 480p frame (eval: products found in 65% of the clips, AUC
 * 0.801); 0.0001 finds them in 85% (AUC 0.908); 0.00003 gains 0.003 at 1.5 times the CPU.
 */
const AKAZE_THRESHOLD = 0.0001;
/** Lowe's ratio test: a match counts when clearly better than the second best. */
const RATIO = 0.8;
/** RANSAC's reprojection tolerance, in pixels of the frame. */
const RANSAC_PX = 5;

/** An image's keypoints and binary descriptors, kept for many comparisons (a reference's). */
export interface ObjectFeatures {
  points: { x: number; y: number }[];
  /** OpenCV Mat of descriptors; freed by `release`. */
  descriptors: unknown;
}

/**
 * Object matching for products and styles: AKAZE local features (OpenCV compiled to WASM, from
 * the @techstark/opencv-js package) matched with the ratio test, then verified geometrically
 * with a RANSAC homography. The count of matches consistent with one plane-to-plane mapping
 * says whether the reference's own textured surface (label, logo, print) is in the frame.
 */
export class ObjectMatcher {
  private constructor(
    private readonly cv: Cv,
    private readonly kind: ObjectFeatureKind
  ) {}

  /** @throws VisionUnavailableError when @techstark/opencv-js is missing. */
  static async load(kind: ObjectFeatureKind = 'akaze'): Promise<ObjectMatcher> {
    const cv = requireVisionPackage<Cv>('@techstark/opencv-js');
    if (!cv.Mat) await new Promise<void>((resolve) => (cv.onRuntimeInitialized = resolve));
    return new ObjectMatcher(cv, kind);
  }

  features(image: RgbImage): ObjectFeatures {
    const { cv } = this;
    const rgb = cv.matFromArray(image.height, image.width, cv.CV_8UC3, image.data);
    const gray = new cv.Mat();
    const keypoints = new cv.KeyPointVector();
    const descriptors = new cv.Mat();
    const none = new cv.Mat();
    const detector = this.kind === 'akaze' ? new cv.AKAZE() : new cv.ORB(ORB_FEATURES);
    try {
      if (this.kind === 'akaze') detector.setThreshold(AKAZE_THRESHOLD);
      cv.cvtColor(rgb, gray, cv.COLOR_RGB2GRAY);
      detector.detectAndCompute(gray, none, keypoints, descriptors);
      const points: ObjectFeatures['points'] = [];
      for (let i = 0; i < keypoints.size(); i++) {
        const p = keypoints.get(i).pt as { x: number; y: number };
        points.push({ x: p.x, y: p.y });
      }
      return { points, descriptors };
    } finally {
      for (const m of [rgb, gray, keypoints, none, detector]) m.delete();
    }
  }

  /**
   * A reference's features at several sizes, in the coordinates of the first: a product a fifth
   * of the reference's size in a frame needs the reference seen smaller still (ORB's own pyramid
   * spans about 3.6 times; AKAZE's wider one found as many with a fourth size, 60 rows, as without).
   */
  featuresAtSizes(images: readonly RgbImage[]): ObjectFeatures {
    const { cv } = this;
    const described = images.map((image) => ({
      scale: images[0]!.height / image.height,
      features: this.features(image),
    }));
    // a size too small for any feature adds no rows (and vconcat refuses an empty Mat)
    const all = described.filter((d) => d.features.points.length > 0);
    for (const d of described) if (d.features.points.length === 0) this.release(d.features);
    if (all.length <= 1) return all[0]?.features ?? this.features(images[0]!);
    const mats = new cv.MatVector();
    for (const { features } of all) mats.push_back(features.descriptors);
    const descriptors = new cv.Mat();
    try {
      cv.vconcat(mats, descriptors);
    } finally {
      mats.delete();
      for (const { features } of all) this.release(features);
    }
    const points = all.flatMap(({ scale, features }) =>
      features.points.map((p) => ({ x: p.x * scale, y: p.y * scale }))
    );
    return { points, descriptors };
  }

  release(features: ObjectFeatures): void {
    (features.descriptors as { delete(): void }).delete();
  }

  /** Matches of the reference that one homography maps onto the frame (0 when fewer than 4 survive the ratio test). */
  inliers(reference: ObjectFeatures, frame: ObjectFeatures): number {
    const { cv } = this;
    if (reference.points.length < 4 || frame.points.length < 4) return 0;
    const matcher = new cv.BFMatcher(cv.NORM_HAMMING, false);
    const knn = new cv.DMatchVectorVector();
    try {
      matcher.knnMatch(reference.descriptors, frame.descriptors, knn, 2);
      const pairs: [number, number][] = [];
      for (let i = 0; i < knn.size(); i++) {
        const m = knn.get(i);
        if (m.size() >= 2 && m.get(0).distance < RATIO * m.get(1).distance)
          pairs.push([m.get(0).queryIdx, m.get(0).trainIdx]);
      }
      if (pairs.length < 4) return 0;
      const src = cv.matFromArray(
        pairs.length,
        1,
        cv.CV_32FC2,
        pairs.flatMap(([q]) => [reference.points[q]!.x, reference.points[q]!.y])
      );
      const dst = cv.matFromArray(
        pairs.length,
        1,
        cv.CV_32FC2,
        pairs.flatMap(([, t]) => [frame.points[t]!.x, frame.points[t]!.y])
      );
      const mask = new cv.Mat();
      try {
        const h = cv.findHomography(src, dst, cv.RANSAC, RANSAC_PX, mask);
        const plausible = !h.empty() && plausibleHomography(Array.from(h.data64F as Float64Array));
        h.delete();
        return plausible ? cv.countNonZero(mask) : 0;
      } finally {
        for (const m of [src, dst, mask]) m.delete();
      }
    } finally {
      matcher.delete();
      knn.delete();
    }
  }
}

/**
 * A homography an object's picture can take: not mirrored or collapsed, scaled between 1/20
 * and 20 times (random matches that RANSAC happens to fit give wild ones).
 */
export function plausibleHomography(h: readonly number[]): boolean {
  const [a, b, , c, d] = h as [number, number, number, number, number];
  const det = a * d - b * c;
  return Number.isFinite(det) && det > 1 / 400 && det < 400;
}
