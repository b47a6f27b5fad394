import { fakeVersion, seedOf, type EmulatedModel, type VideoSpec } from './model';

const id = 'google/veo-3.1';

/** Veo 3.1's documented inputs: 1 to 3 `reference_images` force 16:9 and 8 s. */
export const veo31: EmulatedModel = {
  id,
  version: fakeVersion(id),
  description: 'Veo 3.1 with reference-to-video.',
  kind: 'video',
  price: { perOutputSecondUsd: 0.4 },
  inputs: {
    prompt: { type: 'string', required: true, description: 'Text prompt.' },
    negative_prompt: { type: 'string', description: 'What to discourage.' },
    image: { type: 'uri', description: 'First frame.' },
    last_frame: { type: 'uri', description: 'Last frame (ignored with reference images).' },
    reference_images: { type: 'uri[]', minItems: 1, maxItems: 3, description: 'Subject references (R2V).' },
    duration: { type: 'integer', enum: [4, 6, 8], default: 8, description: 'Seconds.' },
    resolution: { type: 'string', enum: ['720p', '1080p'], default: '1080p', description: 'Resolution.' },
    aspect_ratio: { type: 'string', enum: ['16:9', '9:16'], default: '16:9', description: 'Frame shape.' },
    generate_audio: { type: 'boolean', default: true, description: 'Generate audio.' },
    seed: { type: 'integer', description: 'Random seed.' },
  },
  video: (input): VideoSpec => {
    const references = (input.reference_images as string[] | undefined) ?? [];
    return {
      prompt: String(input.prompt),
      seed: seedOf(input),
      durationSec: references.length ? 8 : Number(input.duration),
      aspectRatio: references.length ? '16:9' : (input.aspect_ratio as VideoSpec['aspectRatio']),
      references,
      fidelity: 0.85,
    };
  },
};
