import { fakeVersion, seedOf, type EmulatedModel, type VideoSpec } from './model';

const id = 'scenegate/image-to-video';

/** The local image-to-video model: the clip starts from `start_image` and moves from there. */
export const imageToVideo: EmulatedModel = {
  id,
  version: fakeVersion(id),
  description: 'Animates a given first frame (start_image) into a clip.',
  kind: 'video',
  price: { perOutputSecondUsd: 0.05 },
  inputs: {
    prompt: { type: 'string', required: true, description: 'What happens in the scene.' },
    negative_prompt: { type: 'string', description: 'What to avoid.' },
    start_image: { type: 'uri', required: true, description: 'First frame of the video.' },
    seed: { type: 'integer', minimum: 0, description: 'Random seed.' },
    duration: { type: 'integer', minimum: 1, maximum: 10, default: 5, description: 'Seconds of video.' },
    aspect_ratio: { type: 'string', enum: ['16:9', '9:16', '1:1'], default: '16:9', description: 'Frame shape.' },
  },
  video: (input): VideoSpec => ({
    prompt: String(input.prompt),
    seed: seedOf(input),
    durationSec: Number(input.duration),
    aspectRatio: input.aspect_ratio as VideoSpec['aspectRatio'],
    references: [],
    fidelity: 1,
    firstFrame: String(input.start_image),
  }),
};
