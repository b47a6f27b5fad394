import path from 'node:path';
import { log } from '@temporalio/activity';
import type Replicate from 'replicate';
import type { Storage } from '../common/storage/storage';
import type { ReplicateConnection } from './replicate/client';
import { toReplicateFailure } from './replicate/errors';

/** How long a reference's presigned URL lives: the longest S3 allows, for generations that wait days for a person. */
export const REFERENCE_URL_LIFETIME_SEC = 7 * 24 * 3600;

export interface ReferenceUploadDeps {
  replicate: Replicate;
  connection: ReplicateConnection;
  storage: Storage;
}

/** A reference at a URL models fetch, and until when (ms since the epoch; unset: unknown). */
export interface PublishedReference {
  url: string;
  expiresAt?: number;
}

/**
 * Puts a reference already in scenegate's storage (`key`) where models can fetch it: the presigned
 * URL of its copy in object storage, else a Files API upload, whose `expires_at` Replicate gives
 * (24 hours, per its JS README, 2025-11). `field` names it in a failure.
 */
export async function publishReference(
  deps: ReferenceUploadDeps,
  image: { key: string; mime: string; bytes: Buffer },
  metadata: Record<string, string>,
  field: string
): Promise<PublishedReference> {
  if (deps.storage.remote) {
    const url = await deps.storage.location(image.key, REFERENCE_URL_LIFETIME_SEC, 'services');
    return { url, expiresAt: Date.now() + REFERENCE_URL_LIFETIME_SEC * 1000 };
  }
  try {
    const file = new File([new Uint8Array(image.bytes)], path.posix.basename(image.key), { type: image.mime });
    const created = (await deps.replicate.files.create(file, metadata)) as {
      urls: { get: string };
      expires_at?: string;
    };
    log.info('uploaded to the Files API', { key: image.key, field });
    const expiresAt = created.expires_at ? Date.parse(created.expires_at) : NaN;
    return { url: created.urls.get, ...(Number.isFinite(expiresAt) ? { expiresAt } : {}) };
  } catch (err) {
    throw toReplicateFailure(err, `${field}: uploading ${image.key}`, deps.connection.redact);
  }
}
