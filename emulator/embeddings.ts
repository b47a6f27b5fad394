import { decodeImage } from '../media/raw-image';
import { hashString, seededRandom } from './random';

const SIDE = 16;

function normalise(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0)) || 1;
  return vector.map((v) => v / norm);
}

/** A stand-in image embedding: the zero-mean 16x16 colour thumbnail, unit length. Alike images point alike. */
export async function imageEmbedding(bytes: Buffer): Promise<number[]> {
  const { data } = await decodeImage(bytes, SIDE, SIDE);
  const values = [...data].map(Number);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return normalise(values.map((v) => v - mean));
}

/** A stand-in text embedding: a unit vector seeded by the text. */
export function textEmbedding(text: string): number[] {
  const random = seededRandom(hashString(text));
  return normalise(Array.from({ length: SIDE * SIDE * 3 }, () => random() - 0.5));
}
