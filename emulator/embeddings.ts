import { decodeImage } from '../media/raw-image';
import { hashString, seededRandom } from './random';

/** Levels per colour channel: 4 × 4 × 4 colour bins. */
const LEVELS = 4;
const DIMENSIONS = LEVELS ** 3;
/** Images are measured at this size: enough pixels for a stable colour distribution. */
const SIDE = 64;

function normalise(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0)) || 1;
  return vector.map((v) => v / norm);
}

/**
 * A stand-in image embedding: the square root of the image's colour distribution, unit length.
 * Like CLIP's it ignores where things are, so a character drawn anywhere in a frame pulls the
 * frame's vector toward the reference's, more so the more faithfully it is drawn; unlike CLIP's,
 * its cosines are low in absolute terms, so thresholds for it are lower than for the real model.
 */
export async function imageEmbedding(bytes: Buffer): Promise<number[]> {
  const { data } = await decodeImage(bytes, SIDE, SIDE);
  const counts = new Array<number>(DIMENSIONS).fill(0);
  const level = (value: number): number => Math.min(LEVELS - 1, Math.floor((value * LEVELS) / 256));
  for (let i = 0; i < data.length; i += 3) {
    counts[level(data[i]!) * LEVELS * LEVELS + level(data[i + 1]!) * LEVELS + level(data[i + 2]!)]!++;
  }
  return normalise(counts.map(Math.sqrt));
}

/** A stand-in text embedding: a unit vector seeded by the text. */
export function textEmbedding(text: string): number[] {
  const random = seededRandom(hashString(text));
  return normalise(Array.from({ length: DIMENSIONS }, () => random() - 0.5));
}
