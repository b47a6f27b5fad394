import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, isListening } from '../free-port';
import type { GoToolSpec } from '../go-tool';
import { startService } from './processes';

/** versitygw: an S3 gateway over a plain folder, Apache-2.0, buildable offline with `go install`. */
export const versitygwTool: GoToolSpec = {
  name: 'versitygw',
  version: 'v1.8.0',
  packages: ['github.com/versity/versitygw/cmd/versitygw'],
};

/** versitygw exited, or did not listen, while starting. */
export class ObjectStoreStartError extends Error {
  override readonly name = 'ObjectStoreStartError';
  constructor(
    readonly reason: string,
    readonly logFile: string,
    readonly logTail: string
  ) {
    super(`versitygw did not start: ${reason}. The end of ${logFile}:\n${logTail}`);
  }
}

/** What an S3 client needs to reach the bucket. */
export interface S3Endpoint {
  /** `http://127.0.0.1:<port>`; path-style addressing. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface StartObjectStoreOptions {
  /** Holds `data/` (one sub-folder per bucket, one file per object) and `versitygw.log`. */
  dir: string;
  /** The versitygw executable. */
  executable: string;
  /** Created when missing; `scenegate` unless set. */
  bucket?: string;
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

/** A versitygw process this process started. */
export interface ObjectStore extends S3Endpoint {
  logFile: string;
  /** The JSON file (this user's only) holding the root keys, `secretAccessKey` among them. */
  keysFile: string;
  /** Milliseconds from the call to a bucket that exists. */
  startMs: number;
  /** SIGTERM (SIGKILL after 10 s); resolves once the process is gone. */
  stop(): Promise<void>;
}

const host = '127.0.0.1';
const region = 'us-east-1';

/**
 * An S3 client for versitygw. Path-style, and checksums only where the API demands them: the
 * SDK's default CRC32 checksums break several S3-compatible servers.
 */
export function objectStoreClient(s3: S3Endpoint): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * The gateway's root keys: generated the first time and kept beside the data (readable by this
 * user only), so a folder started again keeps the objects' owner and any copied credentials.
 */
function rootKeys(file: string): Pick<S3Endpoint, 'accessKeyId' | 'secretAccessKey'> {
  if (fs.existsSync(file))
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Pick<S3Endpoint, 'accessKeyId' | 'secretAccessKey'>;
  const keys = {
    accessKeyId: `SG${randomBytes(9).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  fs.writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

/**
 * Starts versitygw on a free 127.0.0.1 port (it listens on every interface unless told) with its
 * posix backend in `<dir>/data`, root keys generated the first time, and creates the bucket when missing.
 *
 * @throws ObjectStoreStartError with the gateway's log.
 */
export async function startObjectStore(options: StartObjectStoreOptions): Promise<ObjectStore> {
  const log = options.log ?? (() => undefined);
  const began = Date.now();
  const dir = path.resolve(options.dir);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'versitygw.log');
  const keysFile = path.join(dir, 'root-keys.json');
  fs.mkdirSync(dataDir, { recursive: true });
  const port = await freePort(host);
  const s3: S3Endpoint = {
    endpoint: `http://${host}:${port}`,
    bucket: options.bucket ?? 'scenegate',
    region,
    ...rootKeys(keysFile),
  };
  // keys through the environment, not argv, so `ps` does not show the secret
  const gateway = startService(
    options.executable,
    ['--port', `${host}:${port}`, '--region', region, '--quiet', 'posix', dataDir],
    {
      logFile,
      env: { ...process.env, ROOT_ACCESS_KEY_ID: s3.accessKeyId, ROOT_SECRET_ACCESS_KEY: s3.secretAccessKey },
    }
  );
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  try {
    while (!(await isListening(host, port))) {
      if (!gateway.running()) throw new ObjectStoreStartError('the process exited', logFile, gateway.logTail());
      if (Date.now() > deadline)
        throw new ObjectStoreStartError(
          `nothing listened on port ${port} within ${timeoutMs / 1000} s`,
          logFile,
          gateway.logTail()
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const client = objectStoreClient(s3);
    try {
      await client.send(new CreateBucketCommand({ Bucket: s3.bucket }));
    } catch (err) {
      // the folder already holds the bucket from an earlier start
      if (!(err instanceof BucketAlreadyOwnedByYou)) throw err;
    } finally {
      client.destroy();
    }
  } catch (err) {
    await gateway.stop();
    throw err;
  }
  log(`versitygw on ${s3.endpoint}, bucket ${s3.bucket} in ${dataDir} (log ${logFile})`);
  return { ...s3, logFile, keysFile, startMs: Date.now() - began, stop: () => gateway.stop() };
}
