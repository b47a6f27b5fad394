import { decodeImageToHeight, type RgbImage } from '../raw-image';
import { clipShape, framesAt } from './clip-frames';
import { cpuSecondsWithChildren } from './cpu-time';
import { FaceModels, type FaceDetector } from './faces';
import { ObjectMatcher, type ObjectFeatureKind, type ObjectFeatures } from './objects';
import {
  calibratedScore,
  clipFinding,
  faceScore,
  framesAgree,
  inlierScore,
  sampleTimes,
  CHANCE_INLIERS,
  type ClipFinding,
  type FrameAggregate,
  type FrameFinding,
} from './score-maths';

/**
 * Per kind, the raw measure that best separates the same subject from another on the
 * evaluation set (`npm run eval:scorer -- --raw`, 2026-12-06, 480p clips, all pairs; products'
 * with AKAZE features): a clip's score is calibrated so that this measure scores PASS_SCORE,
 * the plan's default threshold. Styles have no set of their own and take the products'.
 */
export const RAW_THRESHOLDS: Record<VisionKind, number> = { character: 0.422, product: 0.225, style: 0.225 };

/** What a reference shows: a character is compared by face, a product or a style by its local features. */
export type VisionKind = 'character' | 'product' | 'style';

export interface VisionReference {
  /** Stable identity of the image's bytes (its sha256): what the reference cache is keyed by. */
  key: string;
  path: string;
  kind: VisionKind;
}

export interface VisionScoreRequest {
  /** A clip, or a still image (a keyframe: PNG, JPEG or WebP, told by its first bytes) scored as a clip of one frame. */
  clipPath: string;
  references: readonly VisionReference[];
}

export interface VisionScoreResult {
  /** One finding per reference, in the request's order. */
  perReference: ClipFinding[];
  /** CPU seconds this score took, ffmpeg's frame decoding included (reference descriptors already cached excluded). */
  cpuSec: number;
}

/** Thrown when a reference image cannot serve as one: a character's picture with no face the detector finds. */
export class VisionReferenceError extends Error {
  override readonly name = 'VisionReferenceError';
  constructor(
    readonly referencePath: string,
    message: string
  ) {
    super(message);
  }
}

export interface VisionScorerOptions {
  /**
   * The face detector ('tiny'): with tiles it finds as many faces as SSD does at a quarter of its
   * CPU, and its smaller activations keep the process's WASM heap smaller (docs/scorers.md).
   */
  detector?: FaceDetector;
  /** Frames sampled per clip at most (3). */
  frames?: number;
  /** Width frames are decoded at (the clip's own, within MIN_FRAME_WIDTH..MAX_FRAME_WIDTH); the height keeps the clip's aspect. */
  frameWidth?: number;
  /** The square the tiny detector shrinks its input to (416; a multiple of 32): smaller costs less CPU and memory, and finds fewer small faces. */
  tinySize?: number;
  /** Search faces in two overlapping squares of each frame too (true; see FaceModels.faces). */
  tiles?: boolean;
  /** The local features products and styles are described by ('akaze'). */
  objectFeatures?: ObjectFeatureKind;
  /** Heights a product's or style's reference is described at ([320, 180, 100]). */
  objectSizes?: number[];
  /** Report the measures themselves (1 - face distance, inlier score), not calibrated to PASS_SCORE (false; eval/ calibrates on them). */
  raw?: boolean;
  /** How frames make a clip's score ('mean'). */
  aggregate?: FrameAggregate;
  /** Stop after two frames whose scores agree within AGREEMENT (true). */
  stopWhenAgreed?: boolean;
}

/** Smaller frames (the emulator's 320x180) are scaled up: the object features' corners and the face nets' crops need the pixels. */
const MIN_FRAME_WIDTH = 640;
/** Frames wider than this are scaled down: the detectors see at most 512 pixels of a tile, and a 1080p frame costs more to decode and copy. */
const MAX_FRAME_WIDTH = 1280;
/** Height a character's reference is decoded at before padding; a larger face gains the recognition net nothing. */
const REFERENCE_FACE_HEIGHT = 400;
/**
 * Heights a product's reference is described at: the smaller sizes reach products down to a
 * twelfth of the reference's 320 rows (eval, ORB: products found in 76% -> 91% of the 480p
 * set's clips, AUC 0.827 -> 0.893; 320 and 130 alone: 86%, 0.881; AKAZE gained nothing from a
 * fourth size, 60 rows).
 */
const REFERENCE_OBJECT_HEIGHTS = [320, 180, 100];

type Prepared = { kind: 'face'; descriptors: Float32Array[] } | { kind: 'object'; features: ObjectFeatures };

/**
 * The `vision` consistency scorer in one process: models load on first need (faces only for
 * characters, OpenCV only for products and styles) and stay loaded; each reference is described
 * once and kept by its key. Frames are decoded one at a time, the middle one first, so a clip
 * whose first two frames agree costs two frames, not three.
 */
export class VisionScorer {
  private faces?: Promise<FaceModels>;
  private objects?: Promise<ObjectMatcher>;
  private readonly references = new Map<string, Promise<Prepared>>();

  constructor(private readonly options: VisionScorerOptions = {}) {}

  async score(request: VisionScoreRequest): Promise<VisionScoreResult> {
    const prepared = await Promise.all(request.references.map((r) => this.prepare(r)));
    const began = cpuSecondsWithChildren();
    // a keyframe (PNG, JPEG, WebP) is a clip of one frame
    const shape = await clipShape(request.clipPath);
    const width = this.options.frameWidth ?? Math.min(MAX_FRAME_WIDTH, Math.max(MIN_FRAME_WIDTH, shape.width));
    const height = Math.max(2, Math.round((width * shape.height) / Math.max(1, shape.width) / 2) * 2);
    const times = shape.still ? [0] : sampleTimes(shape.durationSec, this.options.frames ?? 3);
    // the middle frame first: it is the likeliest to show the subject fully
    const order = times
      .map((_, i) => i)
      .sort((a, b) => Math.abs(a - (times.length - 1) / 2) - Math.abs(b - (times.length - 1) / 2));
    const frames = await framesAt(
      request.clipPath,
      shape,
      order.map((i) => times[i]!),
      width,
      height
    );
    const findings: FrameFinding[][] = request.references.map(() => []);
    for (const { atSec, frame } of frames) {
      await this.scoreFrame(frame, atSec, prepared, findings);
      if ((this.options.stopWhenAgreed ?? true) && findings.every(framesAgree)) break;
    }
    const perReference = findings.map((frames, i) => {
      const finding = clipFinding(
        [...frames].sort((a, b) => a.atSec - b.atSec),
        this.options.aggregate
      );
      const kind = request.references[i]!.kind;
      return this.options.raw ? finding : { ...finding, score: calibratedScore(finding.score, RAW_THRESHOLDS[kind]) };
    });
    return { perReference, cpuSec: Math.round((cpuSecondsWithChildren() - began) * 100) / 100 };
  }

  private async scoreFrame(
    frame: RgbImage,
    atSec: number,
    prepared: Prepared[],
    findings: FrameFinding[][]
  ): Promise<void> {
    const faces = prepared.some((p) => p.kind === 'face')
      ? await (await this.faceModels()).faces(frame, this.options.tiles ?? true)
      : [];
    const matcher = prepared.some((p) => p.kind === 'object') ? await this.objectMatcher() : undefined;
    const features = matcher?.features(frame);
    try {
      prepared.forEach((p, i) => {
        let score: number | null;
        if (p.kind === 'face') {
          score = faces.length ? Math.max(...faces.map((f) => faceScore(f.descriptor, p.descriptors))) : null;
        } else {
          const inliers = matcher!.inliers(p.features, features!);
          score = inliers > CHANCE_INLIERS ? inlierScore(inliers) : null;
        }
        findings[i]!.push({ atSec, score });
      });
    } finally {
      if (features) matcher!.release(features);
    }
  }

  /** Describes a reference ahead of its first clip (the descriptors are kept by its key). */
  async describe(reference: VisionReference): Promise<void> {
    await this.prepare(reference);
  }

  private prepare(reference: VisionReference): Promise<Prepared> {
    const cacheKey = `${reference.kind}:${reference.key}`;
    let prepared = this.references.get(cacheKey);
    if (!prepared) {
      prepared = reference.kind === 'character' ? this.prepareFace(reference.path) : this.prepareObject(reference.path);
      // a failure is not kept: the next request tries again (the file may be fixed)
      prepared.catch(() => this.references.delete(cacheKey));
      this.references.set(cacheKey, prepared);
    }
    return prepared;
  }

  private async prepareFace(path: string): Promise<Prepared> {
    const models = await this.faceModels();
    const image = await decodeImageToHeight(path, REFERENCE_FACE_HEIGHT);
    // SSD misses a face that fills the picture; with a margin of half its size it finds it
    const descriptors: Float32Array[] = [];
    for (const variant of [padded(image, 0.5), mirrored(padded(image, 0.5))]) {
      const [largest] = await models.faces(variant);
      if (largest) descriptors.push(largest.descriptor);
    }
    if (descriptors.length === 0) {
      throw new VisionReferenceError(
        path,
        'no face was found in this character reference: use a photo or drawing where the face is visible and at least about 64 pixels tall'
      );
    }
    return { kind: 'face', descriptors };
  }

  private async prepareObject(path: string): Promise<Prepared> {
    const matcher = await this.objectMatcher();
    const sizes = this.options.objectSizes ?? REFERENCE_OBJECT_HEIGHTS;
    const images = await Promise.all(sizes.map((height) => decodeImageToHeight(path, height)));
    return { kind: 'object', features: matcher.featuresAtSizes(images) };
  }

  private faceModels(): Promise<FaceModels> {
    this.faces ??= FaceModels.load(this.options.detector ?? 'tiny', this.options.tinySize);
    return this.faces;
  }

  private objectMatcher(): Promise<ObjectMatcher> {
    this.objects ??= ObjectMatcher.load(this.options.objectFeatures);
    return this.objects;
  }
}

/** The image centred on a mid-grey canvas `margin` times its size wider on every side. */
export function padded(image: RgbImage, margin: number): RgbImage {
  const dx = Math.round(image.width * margin);
  const dy = Math.round(image.height * margin);
  const width = image.width + 2 * dx;
  const height = image.height + 2 * dy;
  const data = Buffer.alloc(width * height * 3, 128);
  for (let y = 0; y < image.height; y++) {
    image.data.copy(data, ((y + dy) * width + dx) * 3, y * image.width * 3, (y + 1) * image.width * 3);
  }
  return { width, height, data };
}

/** The image flipped left to right: a second view of a reference, whose descriptor differs a little. */
export function mirrored(image: RgbImage): RgbImage {
  const data = Buffer.alloc(image.data.length);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      image.data.copy(
        data,
        (y * image.width + (image.width - 1 - x)) * 3,
        (y * image.width + x) * 3,
        (y * image.width + x) * 3 + 3
      );
    }
  }
  return { width: image.width, height: image.height, data };
}
