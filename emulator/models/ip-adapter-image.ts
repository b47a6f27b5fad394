import { fakeVersion, seedOf, type EmulatedModel, type ImageSpec } from './model';

const id = 'scenegate/ip-adapter-image';

/**
 * The local IP-Adapter image model, for keyframes: one frame drawn as the video model draws its
 * first, the references kept at `ip_adapter_scale` (so a scorer sees more of them as it rises).
 */
export const ipAdapterImage: EmulatedModel = {
  id,
  version: fakeVersion(id),
  description: 'A reference-conditioned image with an IP-Adapter scale: how much of the references survives.',
  kind: 'image',
  price: { perRunUsd: 0.03 },
  inputs: {
    prompt: { type: 'string', required: true, description: 'What the scene shows.' },
    negative_prompt: { type: 'string', description: 'What to avoid.' },
    reference_images: { type: 'uri[]', required: true, minItems: 1, maxItems: 4, description: 'Identity references.' },
    ip_adapter_scale: { type: 'number', minimum: 0, maximum: 1, default: 0.6, description: 'Reference strength.' },
    seed: { type: 'integer', minimum: 0, description: 'Random seed.' },
    aspect_ratio: { type: 'string', enum: ['16:9', '9:16', '1:1'], default: '16:9', description: 'Frame shape.' },
  },
  image: (input): ImageSpec => ({
    prompt: String(input.prompt),
    seed: seedOf(input),
    aspectRatio: input.aspect_ratio as ImageSpec['aspectRatio'],
    references: input.reference_images as string[],
    fidelity: Number(input.ip_adapter_scale),
  }),
};
