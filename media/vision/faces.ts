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

  static async load(detector: FaceDetector = 'ssd'): Promise<FaceModels> {
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
        : new api.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: MIN_CONFIDENCE });
    return new FaceModels(tf, api, options);
  }

  /** Every face found in an image, with its descriptor, largest first. */
  async faces(image: RgbImage): Promise<FoundFace[]> {
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
      return results
        .map((r) => ({
          box: {
            x: r.detection.box.x,
            y: r.detection.box.y,
            width: r.detection.box.width,
            height: r.detection.box.height,
          },
          confidence: r.detection.score,
          descriptor: r.descriptor,
        }))
        .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    } finally {
      tensor.dispose();
    }
  }
}
