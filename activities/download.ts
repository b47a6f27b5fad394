import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { send } from './http-client';

/** The output is no longer there (deleted after Replicate's retention window). */
export class OutputGoneError extends Error {
  override readonly name = 'OutputGoneError';
}

/** The output is not where the provider serves outputs: it is not fetched. */
export class OutputRefusedError extends Error {
  override readonly name = 'OutputRefusedError';
  constructor(readonly url: string) {
    super(
      `output ${url} is not on a host Replicate serves outputs from (https://replicate.delivery and its subdomains, or the configured API's own origin); it was not fetched`
    );
  }
}

/**
 * Where outputs may be downloaded from: https on replicate.delivery and its subdomains, where
 * hosted Replicate serves them, and the configured API's own origin (the emulator serves its
 * outputs there). Nothing else, so no prediction or report can point the worker at loopback,
 * the private network or a cloud metadata address.
 */
export function providerOutputs(apiBaseUrl: string): (url: URL) => boolean {
  const api = new URL(apiBaseUrl).origin;
  return (url) =>
    url.origin === api ||
    (url.protocol === 'https:' &&
      url.port === '' &&
      (url.hostname === 'replicate.delivery' || url.hostname.endsWith('.replicate.delivery')));
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

const REDIRECTS = 5;

/** The output's response, past the redirects a CDN may answer with; each one must stay where `allowed`. */
async function follow(url: string, allowed: (url: URL) => boolean): Promise<IncomingMessage> {
  let at = new URL(url);
  for (let hops = 0; ; hops++) {
    if (!allowed(at)) throw new OutputRefusedError(at.href);
    const response = await send(at);
    const location = response.headers.location;
    if (![301, 302, 303, 307, 308].includes(response.statusCode!) || !location || hops === REDIRECTS) return response;
    response.resume();
    at = new URL(location, at);
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Downloads a prediction output into a file of this machine, trying transient failures three
 * times. Output URLs need no token.
 * @throws OutputRefusedError when the URL, or a redirect, leaves `allowed` (`providerOutputs`);
 * OutputGoneError on 404/410; DownloadError after the last failed try.
 */
export async function downloadOutput(url: string, file: string, allowed: (url: URL) => boolean): Promise<void> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const body = await follow(url, allowed);
      const status = body.statusCode!;
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
      if (err instanceof OutputGoneError || err instanceof OutputRefusedError) throw err;
      lastError = err;
      await pause(500 * attempt);
    }
  }
  throw new DownloadError(`downloading ${url} failed three times: ${(lastError as Error).message}`, url, undefined, {
    cause: lastError,
  });
}
