import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

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
    readonly status?: number
  ) {
    super(message);
  }
}

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
      const response = await fetch(url);
      if (response.status === 404 || response.status === 410) {
        throw new OutputGoneError(
          `output ${url} is gone (HTTP ${response.status}); it expired before it was downloaded`
        );
      }
      if (!response.ok || !response.body)
        throw new DownloadError(`downloading ${url} answered HTTP ${response.status}`, url, response.status);
      await pipeline(Readable.fromWeb(response.body as WebReadableStream), createWriteStream(file));
      return;
    } catch (err) {
      if (err instanceof OutputGoneError) throw err;
      lastError = err;
      await pause(500 * attempt);
    }
  }
  throw new DownloadError(`downloading ${url} failed three times: ${(lastError as Error).message}`, url);
}
