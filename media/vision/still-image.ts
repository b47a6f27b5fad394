import fs from 'node:fs/promises';

/** File signatures of the still images a keyframe comes as: PNG, JPEG, WebP (RIFF....WEBP). */
const SIGNATURES: { offset: number; bytes: number[] }[] = [
  { offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47] },
  { offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { offset: 8, bytes: [0x57, 0x45, 0x42, 0x50] },
];

/**
 * Whether a file is a still image (a keyframe) rather than a clip, by its first bytes: a
 * storage key or a model's output URL need not end in .png or .jpg.
 */
export async function isStillImage(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return SIGNATURES.some(
      (s) => bytesRead >= s.offset + s.bytes.length && s.bytes.every((b, i) => head[s.offset + i] === b)
    );
  } finally {
    await handle.close();
  }
}
