import path from 'node:path';
import type { RgbImage } from '../raw-image';
import { requireVisionPackage, visionPackageDir } from './vision-packages';

/** A face found in an image: where it is, how sure the detector is, and its 128-d recognition descriptor. */
export interface FoundFace {
  box: { x: number; y: number; width: number; height: number };
  confidence: number;
  descriptor: Float32Array;
}

/** The detector that finds faces before they are described; `ssd` finds small and turned faces the tiny one misses. */
export type FaceDetector = 'ssd' | 'tiny';

/** The few calls of tfjs and face-api this module makes (their own typings pull in DOM types). */
interface Tf {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void };
}
interface FaceApiNet {
  loadFromDisk(folder: string): Promise<void>;
}
interface FaceApiResult {
  detection: { box: { x: number; y: number; width: number; height: number }; score: number };
  descriptor: Float32Array;
}
interface FaceApi {
  nets: {
    ssdMobilenetv1: FaceApiNet;
    tinyFaceDetector: FaceApiNet;
    faceLandmark68Net: FaceApiNet;
    faceRecognitionNet: FaceApiNet;
  };
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => unknown;
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => unknown;
  detectAllFaces(
    input: unknown,
    options: unknown
  ): { withFaceLandmarks(): { withFaceDescriptors(): Promise<FaceApiResult[]> } };
}

/** Faces below this detector confidence are not faces (SSD's own default is 0.5; painted and blurred faces score lower). */
const MIN_CONFIDENCE = 0.35;

/**
 * The face models, loaded once per process: TensorFlow.js on its WASM backend (no native
 * binary), SSD MobileNet v1 or the tiny detector, the 68-point landmarks that align each face,
 * and the 128-d recognition net. The weights ship inside the @vladmandic/face-api package.
 *
 * @throws VisionUnavailableError when an optional package is missing.
 */
export class FaceModels {
  private constructor(
    private readonly tf: Tf,
    private readonly api: FaceApi,
    private readonly detectorOptions: unknown
  ) {}

  static async load(detector: FaceDetector = 'ssd', tinySize = 416): Promise<FaceModels> {
    const tf = requireVisionPackage<Tf>('@tensorflow/tfjs');
    const wasm = requireVisionPackage<{ setWasmPaths(prefix: string, usePlatformFetch?: boolean): void }>(
      '@tensorflow/tfjs-backend-wasm'
    );
    wasm.setWasmPaths(path.join(visionPackageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + path.sep);
    await tf.setBackend('wasm');
    await tf.ready();
    const api = requireVisionPackage<FaceApi>('@vladmandic/face-api', 'dist/face-api.node-wasm.js');
    const weights = path.join(visionPackageDir('@vladmandic/face-api'), 'model');
    const net = detector === 'ssd' ? api.nets.ssdMobilenetv1 : api.nets.tinyFaceDetector;
    await net.loadFromDisk(weights);
    await api.nets.faceLandmark68Net.loadFromDisk(weights);
    await api.nets.faceRecognitionNet.loadFromDisk(weights);
    const options =
      detector === 'ssd'
        ? new api.SsdMobilenetv1Options({ minConfidence: MIN_CONFIDENCE, maxResults: 8 })
        : new api.TinyFaceDetectorOptions({ inputSize: tinySize, scoreThreshold: MIN_CONFIDENCE });
    return new FaceModels(tf, api, options);
  }

  /**
   * Every face found in an image, with its descriptor, largest first. With `tiles`, a frame
   * wider (or taller) than square is also searched in two overlapping squares: the detector
   * shrinks its input to a fixed square (416 or 512 pixels), and a face a tenth of a 16:9
   * frame's height would shrink below what it finds; in a square tile it keeps nearly its size.
   */
  async faces(image: RgbImage, tiles = false): Promise<FoundFace[]> {
    const views = tiles ? [{ x: 0, y: 0, image }, ...squareTiles(image)] : [{ x: 0, y: 0, image }];
    const found: FoundFace[] = [];
    for (const view of views) {
      for (const face of await this.facesIn(view.image)) {
        found.push({ ...face, box: { ...face.box, x: face.box.x + view.x, y: face.box.y + view.y } });
      }
    }
    return distinctFaces(found).sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  }

  private async facesIn(image: RgbImage): Promise<FoundFace[]> {
    const tensor = this.tf.tensor3d(
      new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length),
      [image.height, image.width, 3],
      'int32'
    );
    try {
      const results = await this.api
        .detectAllFaces(tensor, this.detectorOptions)
        .withFaceLandmarks()
        .withFaceDescriptors();
      return results.map((r) => ({
        box: {
          x: r.detection.box.x,
          y: r.detection.box.y,
          width: r.detection.box.width,
          height: r.detection.box.height,
        },
        confidence: r.detection.score,
        descriptor: r.descriptor,
      }));
    } finally {
      tensor.dispose();
    }
  }
}

/** The two squares at either end of a frame's long side (none for a square frame), with where each begins. */
export function squareTiles(image: RgbImage): { x: number; y: number; image: RgbImage }[] {
  const side = Math.min(image.width, image.height);
  if (Math.max(image.width, image.height) < side * 1.2) return [];
  const wide = image.width > image.height;
  const far = (wide ? image.width : image.height) - side;
  return [0, far].map((offset) => {
    const [x, y] = wide ? [offset, 0] : [0, offset];
    const data = Buffer.alloc(side * side * 3);
    for (let row = 0; row < side; row++) {
      const start = ((y + row) * image.width + x) * 3;
      image.data.copy(data, row * side * 3, start, start + side * 3);
    }
    return { x, y, image: { width: side, height: side, data } };
  });
}

/** Faces found twice (in the whole frame and in a tile) kept once: the more confident of two boxes that overlap. */
export function distinctFaces(faces: readonly FoundFace[]): FoundFace[] {
  const kept: FoundFace[] = [];
  for (const face of [...faces].sort((a, b) => b.confidence - a.confidence)) {
    if (!kept.some((k) => overlap(k.box, face.box) > 0.4)) kept.push(face);
  }
  return kept;
}

/** Intersection over union of two boxes. */
function overlap(a: FoundFace['box'], b: FoundFace['box']): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}
