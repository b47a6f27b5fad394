import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { interceptors, request } from 'undici';
import { httpPool } from './http-pool';

/** The output is no longer there (deleted after Replicate's retention window). */
export class OutputGoneError extends Error {
  override readonly name = 'OutputGoneError';
}

/** An output download failed for a reason another try may fix. */
class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    options?: ErrorOptions
  ) {
    super(message, options);
  }
}

/** undici's `request` rather than fetch: no web streams on the activities' thread; a CDN may redirect. */
const downloads = httpPool.compose(interceptors.redirect({ maxRedirections: 5 }));

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Downloads a prediction output into a file of this machine, trying transient failures three
 * times. Output URLs need no token.
 * @throws OutputGoneError on 404/410, DownloadError after the last failed try.
 */
export async function downloadOutput(url: string, file: string): Promise<void> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const { statusCode: status, body } = await request(url, { dispatcher: downloads });
      if (status < 200 || status > 299) {
        body.resume();
        if (status === 404 || status === 410) {
          throw new OutputGoneError(`output ${url} is gone (HTTP ${status}); it expired before it was downloaded`);
        }
        throw new DownloadError(`downloading ${url} answered HTTP ${status}`, url, status);
      }
      await pipeline(body, createWriteStream(file));
      return;
    } catch (err) {
      if (err instanceof OutputGoneError) throw err;
      lastError = err;
      await pause(500 * attempt);
    }
  }
  throw new DownloadError(`downloading ${url} failed three times: ${(lastError as Error).message}`, url, undefined, {
    cause: lastError,
  });
}
