import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * A local reference image cannot be used. The message names the path as the plan gave it and
 * says the same whether the file is missing, outside the roots or not a file, so a plan cannot
 * learn which files exist on a worker; `detail` says which, with real paths, for the worker's
 * own log and for the CLI, which checks the person's own files on their own machine.
 */
export class ReferenceFileError extends Error {
  override readonly name = 'ReferenceFileError';
  constructor(
    source: string,
    readonly detail: string
  ) {
    super(
      `${source} is not a file under the folders this worker reads reference images from (SCENEGATE_REFERENCE_ROOTS); ` +
        'a worker on another machine cannot read your files: give an https URL, or put the image in one of its folders'
    );
  }
}

/** True for `https://…` and any other `scheme://` reference, which only a worker fetches. */
export function isRemoteReference(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
}

/** Magic numbers of the image types models accept. */
const IMAGE_TYPES: readonly { mime: string; ext: string; test: (b: Buffer) => boolean }[] = [
  {
    mime: 'image/png',
    ext: 'png',
    test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { mime: 'image/jpeg', ext: 'jpg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    mime: 'image/webp',
    ext: 'webp',
    test: (b) => b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WEBP',
  },
  { mime: 'image/gif', ext: 'gif', test: (b) => b.toString('ascii', 0, 4) === 'GIF8' },
];

/** The image types models accept, in words, for the sentence refusing anything else. */
export const IMAGE_TYPE_NAMES = 'PNG, JPEG, WebP or GIF';

/** Bytes enough to tell every accepted image type apart. */
export const IMAGE_MAGIC_BYTES = 12;

/** The image type a file's first bytes announce, or undefined for anything else. */
export function imageTypeOf(head: Buffer): (typeof IMAGE_TYPES)[number] | undefined {
  return IMAGE_TYPES.find((t) => t.test(head));
}

/**
 * Finds a local reference image as a worker reads it: an absolute path as it is, a relative one
 * under each root in turn; symlinks are followed and the file must sit under one of the roots.
 *
 * @returns the file's real path.
 * @throws ReferenceFileError when it is not found, lies outside the roots or is not a file (one message for all three).
 */
export async function locateReference(source: string, referenceRoots: readonly string[]): Promise<string> {
  const roots = await Promise.all(referenceRoots.map((root) => fs.realpath(root).catch(() => path.resolve(root))));
  // a relative path arrives when nobody resolved it against a plan file (temporal CLI, Web UI): the roots are its base
  const candidates = path.isAbsolute(source) ? [source] : roots.map((root) => path.resolve(root, source));
  let real: string | undefined;
  for (const candidate of candidates) {
    real = await fs.realpath(candidate).catch(() => undefined);
    if (real) break;
  }
  if (!real) {
    throw new ReferenceFileError(
      source,
      path.isAbsolute(source)
        ? `file not found: ${source}`
        : `file not found: ${source} (looked in ${roots.join(', ')})`
    );
  }
  if (!roots.some((root) => real === root || real.startsWith(root + path.sep))) {
    throw new ReferenceFileError(
      source,
      `${real} is outside the folders reference images may come from (${roots.join(', ')}; set SCENEGATE_REFERENCE_ROOTS)`
    );
  }
  if (!(await fs.stat(real)).isFile()) throw new ReferenceFileError(source, `${real} is not a file`);
  return real;
}
