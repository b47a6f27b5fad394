import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Upload } from '@aws-sdk/lib-storage';
import type { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createWriteStream } from 'node:fs';
import { checkKey, contentTypeOf, type Audience, type Storage } from './storage';

export interface S3StorageOptions {
  bucket: string;
  /** Prepended to every key (`scenegate/`). */
  prefix: string;
  region: string;
  /** An S3-compatible endpoint (R2, MinIO, versitygw); unset: AWS. */
  endpoint?: string;
  /**
   * Where people's browsers reach the bucket, when not at `endpoint` (a compose service name, a
   * private network): links for people are signed for it, since a signature covers the host.
   */
  publicEndpoint?: string;
  /** Unset: the AWS SDK's own credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** A folder of this machine for copies of objects that tools read as files. */
  cacheDir: string;
}

/** The parts of the AWS SDK the storage uses. */
interface S3Sdk {
  client: S3Client;
  /** A client that only signs links for people (for `publicEndpoint`); never sends a request. */
  peopleSigner: S3Client;
  GetObjectCommand: typeof GetObjectCommand;
  PutObjectCommand: typeof PutObjectCommand;
  Upload: typeof Upload;
  getSignedUrl: typeof getSignedUrl;
}

/** SigV4 presigned URLs live at most seven days. */
const MAX_EXPIRY_SEC = 7 * 24 * 3600;

/**
 * Storage in an S3-compatible bucket: nothing is shared between workers but the bucket. Tools
 * that need a file (ffmpeg) get a copy in this machine's cache; objects are written once under
 * a key that names their attempt, so a cached copy never goes stale.
 */
export class S3Storage implements Storage {
  readonly remote = true;
  private sdk?: Promise<S3Sdk>;

  constructor(private readonly options: S3StorageOptions) {}

  /**
   * The AWS SDK, loaded on first use: it is tens of megabytes, and a worker on a folder never
   * needs it (the worker's idle memory is a target).
   */
  private load(): Promise<S3Sdk> {
    this.sdk ??= (async () => {
      const [s3, storage, presigner] = await Promise.all([
        import('@aws-sdk/client-s3'),
        import('@aws-sdk/lib-storage'),
        import('@aws-sdk/s3-request-presigner'),
      ]);
      const { options } = this;
      const clientFor = (endpoint: string | undefined): S3Client =>
        new s3.S3Client({
          region: options.region,
          ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
          ...(options.credentials ? { credentials: options.credentials } : {}),
          // the SDK's default CRC32 checksums are refused by several S3-compatible servers
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        });
      const client = clientFor(options.endpoint);
      return {
        client,
        peopleSigner: options.publicEndpoint ? clientFor(options.publicEndpoint) : client,
        GetObjectCommand: s3.GetObjectCommand,
        PutObjectCommand: s3.PutObjectCommand,
        Upload: storage.Upload,
        getSignedUrl: presigner.getSignedUrl,
      };
    })();
    return this.sdk;
  }

  get description(): string {
    return `s3://${this.options.bucket}/${this.options.prefix}${this.options.endpoint ? ` at ${this.options.endpoint}` : ''}`;
  }

  private objectKey(key: string): string {
    checkKey(key);
    return `${this.options.prefix}${key}`;
  }

  private cacheFile(key: string): string {
    checkKey(key);
    return path.join(this.options.cacheDir, ...key.split('/'));
  }

  /** A PUT is atomic: the object appears whole or not at all. Streams go up in parts. */
  async put(key: string, body: Buffer | ReadableStream<Uint8Array>, contentType = contentTypeOf(key)): Promise<number> {
    const Key = this.objectKey(key);
    if (Buffer.isBuffer(body)) {
      const { client, PutObjectCommand } = await this.load();
      await client.send(
        new PutObjectCommand({ Bucket: this.options.bucket, Key, Body: body, ContentType: contentType })
      );
      return body.length;
    }
    const file = await this.download(key, Readable.fromWeb(body as never));
    return this.putFile(key, file, contentType);
  }

  /** Uploads the file and keeps it as this machine's copy of the object. */
  async putFile(key: string, file: string, contentType = contentTypeOf(key)): Promise<number> {
    const { size } = await fs.stat(file);
    const { client, Upload } = await this.load();
    await new Upload({
      client,
      params: {
        Bucket: this.options.bucket,
        Key: this.objectKey(key),
        Body: createReadStream(file),
        ContentType: contentType,
      },
    }).done();
    const cached = this.cacheFile(key);
    if (path.resolve(file) !== cached) {
      await fs.mkdir(path.dirname(cached), { recursive: true });
      // a scratch file becomes the cached copy; anything else is copied and left where it was
      if (file.endsWith('.partial') && path.dirname(path.resolve(file)) === path.dirname(cached))
        await fs.rename(file, cached);
      else await fs.copyFile(file, cached);
    }
    return size;
  }

  /** Beside the key's copy in this machine's cache, which `putFile` then keeps. */
  async scratchFile(key: string): Promise<string> {
    const cached = this.cacheFile(key);
    await fs.mkdir(path.dirname(cached), { recursive: true });
    return `${cached}.${process.pid}.${Date.now()}.partial`;
  }

  async localFile(key: string): Promise<string> {
    const cached = this.cacheFile(key);
    try {
      await fs.access(cached);
      return cached;
    } catch {
      const { client, GetObjectCommand } = await this.load();
      const { Body } = await client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) })
      );
      return this.download(key, Body as Readable);
    }
  }

  /** Writes a stream to this machine's copy of `key`, through a temporary sibling. */
  private async download(key: string, body: Readable): Promise<string> {
    const cached = this.cacheFile(key);
    await fs.mkdir(path.dirname(cached), { recursive: true });
    const temp = `${cached}.${process.pid}.${Date.now()}.partial`;
    try {
      await pipeline(body, createWriteStream(temp));
      await fs.rename(temp, cached);
    } finally {
      await fs.rm(temp, { force: true });
    }
    return cached;
  }

  /** A presigned GET URL, valid for `expiresInSec` (at most seven days), for people or for services. */
  async location(key: string, expiresInSec = 3600, audience: Audience = 'people'): Promise<string> {
    const { client, peopleSigner, GetObjectCommand, getSignedUrl } = await this.load();
    const command = new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) });
    return getSignedUrl(audience === 'people' ? peopleSigner : client, command, {
      expiresIn: Math.min(expiresInSec, MAX_EXPIRY_SEC),
    });
  }
}
