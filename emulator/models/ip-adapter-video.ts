import { fakeVersion, seedOf, type EmulatedModel, type VideoSpec } from './model';

const id = 'scenegate/ip-adapter-video';

/** The local IP-Adapter-style model: reference images with an explicit strength (`ip_adapter_scale`). */
export const ipAdapterVideo: EmulatedModel = {
  id,
  version: fakeVersion(id),
  description: 'Reference-conditioned video with an IP-Adapter scale: how much of the references survives.',
  kind: 'video',
  price: { perOutputSecondUsd: 0.05 },
  inputs: {
    prompt: { type: 'string', required: true, description: 'What happens in the scene.' },
    negative_prompt: { type: 'string', description: 'What to avoid.' },
    reference_images: { type: 'uri[]', required: true, minItems: 1, maxItems: 4, description: 'Identity references.' },
    ip_adapter_scale: { type: 'number', minimum: 0, maximum: 1, default: 0.6, description: 'Reference strength.' },
    seed: { type: 'integer', minimum: 0, description: 'Random seed.' },
    duration: { type: 'integer', minimum: 1, maximum: 10, default: 5, description: 'Seconds of video.' },
    aspect_ratio: { type: 'string', enum: ['16:9', '9:16', '1:1'], default: '16:9', description: 'Frame shape.' },
  },
  video: (input): VideoSpec => ({
    prompt: String(input.prompt),
    seed: seedOf(input),
    durationSec: Number(input.duration),
    aspectRatio: input.aspect_ratio as VideoSpec['aspectRatio'],
    references: input.reference_images as string[],
    fidelity: Number(input.ip_adapter_scale),
  }),
};
