import path from 'node:path';
import { stateDir, storageDir } from '../paths';
import type { Settings } from '../settings';
import { LocalStorage } from './local';
import { S3Storage } from './s3';
import type { Storage } from './storage';

/** The storage the settings name: the bucket in SCENEGATE_S3_BUCKET, else the folder SCENEGATE_STORAGE_DIR. */
export function storageFromSettings(settings: Settings): Storage {
  if (!settings.SCENEGATE_S3_BUCKET) return new LocalStorage(storageDir(settings));
  const { SCENEGATE_S3_ACCESS_KEY_ID: accessKeyId, SCENEGATE_S3_SECRET_ACCESS_KEY: secretAccessKey } = settings;
  return new S3Storage({
    bucket: settings.SCENEGATE_S3_BUCKET,
    prefix: settings.SCENEGATE_S3_PREFIX,
    region: settings.SCENEGATE_S3_REGION,
    ...(settings.SCENEGATE_S3_ENDPOINT ? { endpoint: settings.SCENEGATE_S3_ENDPOINT } : {}),
    ...(settings.SCENEGATE_S3_PUBLIC_ENDPOINT ? { publicEndpoint: settings.SCENEGATE_S3_PUBLIC_ENDPOINT } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    cacheDir: path.join(stateDir(settings), 'cache', 's3'),
  });
}
