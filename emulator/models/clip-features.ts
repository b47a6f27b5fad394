import type { EmulatedModel } from './model';

/** andreasjansson/clip-features: newline-separated texts and/or image URIs in, one embedding each out. */
export const clipFeatures: EmulatedModel = {
  id: 'andreasjansson/clip-features',
  version: '75b33f253f7714a281ad3e9b28f63e3232d583716ef6718f2e46641077ea040a',
  description: 'CLIP ViT-L/14 features (emulated: colour-thumbnail vectors for images, hashed vectors for text).',
  kind: 'embedding',
  price: { perRunUsd: 0.0002 },
  inputs: {
    inputs: { type: 'string', required: true, description: 'Newline-separated inputs: text or image URIs.' },
  },
};
