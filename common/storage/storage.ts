import path from 'node:path';

/**
 * Where scenegate keeps references, clips and videos, addressed by key
 * (`<generation>/clips/s1-a1.mp4`): workflow history carries keys, never a host's path, so any
 * worker can run any step of any generation when the storage is shared (object storage).
 */
export interface Storage {
  /** Where it is, for people: `folder /data/storage` or `s3://bucket/prefix/`. */
  readonly description: string;
  /** True when people and services elsewhere reach its files by URL (object storage). */
  readonly remote: boolean;
  /** Stores bytes under a key; a reader never sees a part of them under that key. Returns the size. */
  put(key: string, body: Buffer | ReadableStream<Uint8Array>, contentType?: string): Promise<number>;
  /** Stores a file of this machine under a key (moved when it can be, else copied). Returns the size. */
  putFile(key: string, file: string, contentType?: string): Promise<number>;
  /** A new file on this machine (its folder made) to write what is then stored under `key` with `putFile`. */
  scratchFile(key: string): Promise<string>;
  /** A file on this machine with the object's bytes, for tools that read files (ffmpeg, image decoding). */
  localFile(key: string): Promise<string>;
  /**
   * Where it is opened: a file path for a folder, a presigned GET URL (`expiresInSec`) for object
   * storage, signed for the endpoint people reach (`people`, the default) or the one services
   * such as models reach (`services`); they differ when the bucket's own address is private.
   */
  location(key: string, expiresInSec?: number, audience?: Audience): Promise<string>;
}

/** Who a link is for: a person's browser, or a service such as a model fetching a reference. */
export type Audience = 'people' | 'services';

/** A key that would leave its generation's space (`..`, an absolute path). */
export class StorageKeyError extends Error {
  override readonly name = 'StorageKeyError';
}

/** The key of a file of a generation, e.g. `keyFor('gen-1', 'clips', 's1-a1.mp4')`. */
export function keyFor(generationId: string, ...parts: string[]): string {
  const key = path.posix.join(generationId, ...parts);
  checkKey(key);
  return key;
}

/** @throws StorageKeyError for a key that is absolute or climbs out of the storage. */
export function checkKey(key: string): void {
  if (!key || path.posix.isAbsolute(key) || key.split('/').some((part) => part === '..' || part === '')) {
    throw new StorageKeyError(`not a storage key: ${JSON.stringify(key)}`);
  }
}

/** Content types of what scenegate stores, so browsers and Replicate read them as they are. */
export function contentTypeOf(key: string): string {
  const types: Record<string, string> = {
    '.mp4': 'video/mp4',
    '.png': 'image/png',
    '.jpg': 'image/jpeg',
    '.jpeg': 'image/jpeg',
    '.webp': 'image/webp',
    '.gif': 'image/gif',
  };
  return types[path.posix.extname(key).toLowerCase()] ?? 'application/octet-stream';
}
