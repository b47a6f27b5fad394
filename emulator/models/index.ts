import { clipFeatures } from './clip-features';
import { ipAdapterVideo } from './ip-adapter-video';
import { klingV16Pro } from './kling-v1-6-pro';
import { minimaxVideo01 } from './minimax-video-01';
import type { EmulatedModel } from './model';
import { veo31 } from './veo-3-1';

/** Every model the emulator serves. */
export const emulatedModels: readonly EmulatedModel[] = [
  ipAdapterVideo,
  klingV16Pro,
  minimaxVideo01,
  veo31,
  clipFeatures,
];

export type { EmulatedModel, InputField, VideoSpec } from './model';
