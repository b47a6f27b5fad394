import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../schema/failures';

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

/**
 * A key that is not one: empty, absolute, with an empty, `.` or `..` part, or with a control
 * character or backslash. Keys are refused, never normalised: `a/../b` is not `b`, `a//b` is
 * not `a/b`. Non-retryable: the same key is refused on every attempt.
 */
export class StorageKeyError extends ApplicationFailure {
  constructor(message: string) {
    super(message, FailureType.InvalidStorageKey, true);
  }
}

/**
 * The key of a file of a generation, e.g. `keyFor('gen-1', 'clips', 's1-a1.mp4')`. Each argument
 * is one part of the key: a generation id with a `/` would reach into another generation's files.
 */
export function keyFor(generationId: string, ...parts: string[]): string {
  for (const part of [generationId, ...parts]) {
    if (part.includes('/'))
      throw new StorageKeyError(`${JSON.stringify(part)} cannot be part of a storage key: it holds a "/"`);
  }
  const key = [generationId, ...parts].join('/');
  checkKey(key);
  return key;
}

// control characters and backslashes mean something else to a file system or a log line
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_KEY = /[\u0000-\u001f\u007f\\]/;

/** @throws StorageKeyError for a key that is absolute, has an empty, `.` or `..` part, or a control character or backslash. */
export function checkKey(key: string): void {
  const bad =
    !key ||
    key.startsWith('/') ||
    FORBIDDEN_IN_KEY.test(key) ||
    key.split('/').some((part) => part === '' || part === '.' || part === '..');
  if (bad) {
    throw new StorageKeyError(
      `not a storage key: ${JSON.stringify(key)} (a key is parts joined by "/", none empty, "." or "..", without control characters or "\\")`
    );
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
