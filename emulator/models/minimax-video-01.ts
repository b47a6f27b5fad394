import { fakeVersion, type EmulatedModel, type VideoSpec } from './model';

const id = 'minimax/video-01';

/** MiniMax Hailuo video-01's documented inputs: one `subject_reference`; 6 s clips. */
export const minimaxVideo01: EmulatedModel = {
  id,
  version: fakeVersion(id),
  description: 'Hailuo video-01 with a subject reference.',
  kind: 'video',
  price: { perRunUsd: 0.5 },
  inputs: {
    prompt: { type: 'string', required: true, description: 'Text prompt.' },
    prompt_optimizer: { type: 'boolean', default: true, description: 'Rewrite the prompt.' },
    first_frame_image: { type: 'uri', description: 'First frame.' },
    subject_reference: { type: 'uri', description: 'A character reference image.' },
  },
  video: (input): VideoSpec => ({
    prompt: String(input.prompt),
    seed: 0,
    durationSec: 6,
    aspectRatio: '16:9',
    references: typeof input.subject_reference === 'string' ? [input.subject_reference] : [],
    fidelity: 0.75,
  }),
};
