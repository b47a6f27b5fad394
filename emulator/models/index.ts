import { ipAdapterVideo } from './ip-adapter-video';
import type { EmulatedModel } from './model';
import { clipFeatures, publishedVideoModels } from './published';

/** Every model the emulator serves: scenegate's own local model, and hosted ones as Replicate publishes them. */
export const emulatedModels: readonly EmulatedModel[] = [ipAdapterVideo, ...publishedVideoModels, clipFeatures];

export type { EmulatedModel, InputField, VideoSpec } from './model';
