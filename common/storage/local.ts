import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { checkKey, StorageKeyError, type Storage } from './storage';

/**
 * Storage in a folder of this machine (the default): a key is a path below it. Several workers
 * need the folder on shared storage (NFS, a mounted bucket) to see each other's files; object
 * storage (`S3Storage`) needs nothing shared.
 */
export class LocalStorage implements Storage {
  readonly remote = false;
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  get description(): string {
    return `folder ${this.root}`;
  }

  /**
   * The file of a key. Runs recorded before storage keys carry absolute paths: one inside this
   * folder is still its file.
   */
  fileOf(key: string): string {
    if (path.isAbsolute(key)) {
      // `/data/storage/../etc` starts with the folder too: only a path already normal may pass
      if (key.startsWith(this.root + path.sep) && path.resolve(key) === key) return key;
      throw new StorageKeyError(`${key} is outside the storage folder ${this.root}`);
    }
    checkKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  /** A sibling of the key's file, so `putFile` renames it into place in one step. */
  async scratchFile(key: string): Promise<string> {
    const file = this.fileOf(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    return `${file}.${process.pid}.${Date.now()}.partial`;
  }

  /** Writes through a temporary sibling renamed into place, so a crash never leaves a partial file under the key. */
  async put(key: string, body: Buffer | ReadableStream<Uint8Array>): Promise<number> {
    const file = this.fileOf(key);
    const temp = await this.scratchFile(key);
    try {
      if (Buffer.isBuffer(body)) await fs.writeFile(temp, body);
      else await pipeline(Readable.fromWeb(body as WebReadableStream), createWriteStream(temp));
      await fs.rename(temp, file);
    } finally {
      await fs.rm(temp, { force: true });
    }
    return (await fs.stat(file)).size;
  }

  async putFile(key: string, file: string): Promise<number> {
    const target = this.fileOf(key);
    if (path.resolve(file) === target) return (await fs.stat(target)).size;
    await fs.mkdir(path.dirname(target), { recursive: true });
    try {
      await fs.rename(file, target);
    } catch {
      // another filesystem: copy beside the target, then rename into place
      const temp = `${target}.${process.pid}.${Date.now()}.partial`;
      try {
        await fs.copyFile(file, temp);
        await fs.rename(temp, target);
      } finally {
        await fs.rm(temp, { force: true });
      }
    }
    return (await fs.stat(target)).size;
  }

  async localFile(key: string): Promise<string> {
    return this.fileOf(key);
  }

  async location(key: string): Promise<string> {
    return this.fileOf(key);
  }
}
