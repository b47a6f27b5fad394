import { fakeVersion, seedOf, type EmulatedModel, type VideoSpec } from './model';

const id = 'kwaivgi/kling-v1.6-pro';

/** Kling 1.6 Pro's documented inputs: up to 4 reference images ("scene elements"). */
export const klingV16Pro: EmulatedModel = {
  id,
  version: fakeVersion(id),
  description: 'Kling v1.6 Pro text/image-to-video with reference images.',
  kind: 'video',
  price: { perOutputSecondUsd: 0.095 },
  inputs: {
    prompt: { type: 'string', required: true, description: 'Text prompt.' },
    negative_prompt: { type: 'string', description: 'Things you do not want to see.' },
    aspect_ratio: {
      type: 'string',
      enum: ['16:9', '9:16', '1:1'],
      default: '16:9',
      description: 'Ignored with start_image.',
    },
    cfg_scale: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: 0.5,
      description: 'Flexibility; higher follows the prompt more.',
    },
    duration: { type: 'integer', enum: [5, 10], default: 5, description: 'Seconds.' },
    start_image: { type: 'uri', description: 'First frame.' },
    end_image: { type: 'uri', description: 'Last frame.' },
    reference_images: { type: 'uri[]', maxItems: 4, description: 'Scene elements to include.' },
  },
  video: (input): VideoSpec => ({
    prompt: String(input.prompt),
    seed: seedOf(input),
    durationSec: Number(input.duration),
    aspectRatio: input.aspect_ratio as VideoSpec['aspectRatio'],
    references: (input.reference_images as string[] | undefined) ?? [],
    fidelity: 0.55 + 0.4 * Number(input.cfg_scale),
  }),
};
