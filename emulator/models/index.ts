import { imageToVideo } from './image-to-video';
import { ipAdapterImage } from './ip-adapter-image';
import { ipAdapterVideo } from './ip-adapter-video';
import type { EmulatedModel } from './model';
import { clipFeatures, publishedImageModels, publishedVideoModels } from './published';

/** Every model the emulator serves: scenegate's own local models, and hosted ones as Replicate publishes them. */
export const emulatedModels: readonly EmulatedModel[] = [
  ipAdapterVideo,
  ipAdapterImage,
  imageToVideo,
  ...publishedVideoModels,
  ...publishedImageModels,
  clipFeatures,
];

export type { EmulatedModel, ImageSpec, InputField, VideoSpec } from './model';
