import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/**
 * scenegate's file storage: a folder on the worker's disk, one subfolder per generation.
 * Several workers need it on shared storage (NFS, a mounted bucket) so that every worker
 * sees every clip.
 */
export class LocalStorage {
  constructor(readonly root: string) {}

  /** Path of a file of a generation, e.g. `pathFor('gen-1', 'clips', 's1-a1.mp4')`. */
  pathFor(generationId: string, ...parts: string[]): string {
    const file = path.resolve(this.root, generationId, ...parts);
    if (!file.startsWith(path.resolve(this.root) + path.sep))
      throw new Error(`path escapes storage: ${parts.join('/')}`);
    return file;
  }

  /**
   * Writes a stream to `file` through a temporary sibling and renames it into place, so a
   * crash mid-write never leaves a partial file under the final name.
   */
  async writeAtomically(file: string, body: ReadableStream<Uint8Array> | Buffer): Promise<number> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${Date.now()}.partial`;
    try {
      if (Buffer.isBuffer(body)) await fs.writeFile(temp, body);
      else await pipeline(Readable.fromWeb(body as WebReadableStream), createWriteStream(temp));
      await fs.rename(temp, file);
    } finally {
      await fs.rm(temp, { force: true });
    }
    return (await fs.stat(file)).size;
  }
}
