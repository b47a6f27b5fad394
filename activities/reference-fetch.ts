import type { LookupAddress } from 'node:dns';
import dns from 'node:dns/promises';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import net from 'node:net';
import tls from 'node:tls';
import fs from 'node:fs';
import type { Settings } from '../common/settings';
import { addressAllowList, isPublicAddress } from './public-address';

/** Redirects followed before a reference URL is refused. */
export const REFERENCE_REDIRECTS = 5;

/**
 * What a worker trusts beyond the public internet and the system's certificate authorities when
 * it fetches a reference URL. Both empty by default; they exist for a test server on loopback and
 * for an asset host on the private network.
 */
export interface ReferenceFetchTrust {
  /** Addresses and ranges a reference URL may reach although they are not public (see `addressAllowList`). */
  allowedAddresses?: net.BlockList;
  /** PEM certificates trusted for reference URLs on top of the system's. */
  ca?: string;
}

/** The trust a worker's settings give (SCENEGATE_REFERENCE_ALLOWED_ADDRESSES, SCENEGATE_REFERENCE_CA_FILE). */
export function referenceFetchTrust(
  settings: Pick<Settings, 'SCENEGATE_REFERENCE_ALLOWED_ADDRESSES' | 'SCENEGATE_REFERENCE_CA_FILE'>
): ReferenceFetchTrust {
  const allowed = settings.SCENEGATE_REFERENCE_ALLOWED_ADDRESSES?.split(',').filter((entry) => entry.trim());
  return {
    ...(allowed?.length ? { allowedAddresses: addressAllowList(allowed) } : {}),
    ...(settings.SCENEGATE_REFERENCE_CA_FILE
      ? { ca: fs.readFileSync(settings.SCENEGATE_REFERENCE_CA_FILE, 'utf8') }
      : {}),
  };
}

export interface ReferenceFetchOptions extends ReferenceFetchTrust {
  /** A body longer than this is refused, whether or not it declares its length. */
  maxBytes: number;
  /** The whole fetch, redirects included, ends after this long, however steadily bytes arrive. */
  totalMs: number;
  /** The fetch ends when no byte arrives for this long. */
  idleMs: number;
  signal?: AbortSignal;
}

/**
 * A reference URL could not be fetched. The message names the URL as the plan gave it, never an
 * address it resolved to nor the text of a lower layer's error, so a plan cannot use it to map
 * what answers where; `retryable` says whether another try may succeed.
 */
export class ReferenceFetchError extends Error {
  override readonly name = 'ReferenceFetchError';
  constructor(
    message: string,
    readonly retryable: boolean
  ) {
    super(message);
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The public address a URL's host resolves to, refused when any of its addresses is not public. */
async function publicAddressOf(url: URL, what: string, trust: ReferenceFetchTrust): Promise<LookupAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = net.isIP(host);
  let addresses: LookupAddress[];
  if (family) {
    addresses = [{ address: host, family }];
  } else {
    try {
      addresses = await dns.lookup(host, { all: true, verbatim: true });
    } catch (err) {
      const transient = (err as NodeJS.ErrnoException).code === 'EAI_AGAIN';
      throw new ReferenceFetchError(`${what} does not resolve to a public address`, transient);
    }
  }
  // every address is checked, not only the one used: a name that also resolves privately is refused outright
  const first = addresses[0];
  if (!first || !addresses.every((a) => isPublicAddress(a.address, trust.allowedAddresses))) {
    throw new ReferenceFetchError(
      `${what} does not resolve to a public address (reference URLs may not reach loopback, private, link-local or cloud metadata addresses)`,
      false
    );
  }
  return first;
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new Error('aborted'));
    signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });
}

/** Sends a GET to `url` connected to `pinned` (the address just checked), so a second DNS answer cannot swap it. */
function get(url: URL, pinned: LookupAddress, trust: ReferenceFetchTrust, idleMs: number, signal: AbortSignal) {
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) (callback as (err: null, addresses: LookupAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  return new Promise<{ response: IncomingMessage; idle: () => boolean }>((resolve, reject) => {
    let idled = false;
    const request = https.request(url, {
      method: 'GET',
      headers: { accept: 'image/*' },
      lookup,
      // one connection per fetch: a pooled socket could be to an address this fetch did not check
      agent: false,
      ...(trust.ca ? { ca: [...tls.rootCertificates, trust.ca] } : {}),
      signal,
    });
    request.setTimeout(idleMs, () => {
      idled = true;
      request.destroy();
    });
    request.once('response', (response) => resolve({ response, idle: () => idled }));
    request.on('error', (err) => reject(Object.assign(err, { idled })));
    request.end();
  });
}

/**
 * Fetches a reference image from an https URL on the public internet: the host's addresses are
 * resolved and checked before connecting, the connection is pinned to the checked address,
 * redirects are followed by hand (https only, each hop checked again, at most
 * `REFERENCE_REDIRECTS`), and the body is read with a running byte count, a total time limit
 * and an idle limit.
 *
 * @throws ReferenceFetchError for every failure, retryable or not.
 */
export async function fetchReference(source: string, options: ReferenceFetchOptions): Promise<Buffer> {
  const controller = new AbortController();
  let timedOut = false;
  const total = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.totalMs);
  const onCancel = (): void => controller.abort();
  options.signal?.addEventListener('abort', onCancel, { once: true });
  const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
  let idle = (): boolean => false;
  try {
    let url = new URL(source);
    for (let hop = 0; ; hop++) {
      const what = hop === 0 ? source : `${source} (after ${hop} redirect${hop === 1 ? '' : 's'})`;
      if (url.protocol !== 'https:') throw new ReferenceFetchError(`${what} is not an https URL`, false);
      // a resolver that hangs must not outlast the total limit
      const pinned = await Promise.race([publicAddressOf(url, what, options), rejectOnAbort(controller.signal)]);
      const sent = await get(url, pinned, options, options.idleMs, controller.signal);
      const { response } = sent;
      idle = sent.idle;
      const status = response.statusCode ?? 0;
      if (REDIRECT_STATUSES.has(status)) {
        response.destroy();
        const location = response.headers.location;
        if (!location) throw new ReferenceFetchError(`${what} answered a redirect without a location`, false);
        if (hop === REFERENCE_REDIRECTS)
          throw new ReferenceFetchError(`${source} redirects more than ${REFERENCE_REDIRECTS} times`, false);
        url = new URL(location, url);
        continue;
      }
      if (status < 200 || status > 299) {
        response.destroy();
        throw new ReferenceFetchError(`${what} answered HTTP ${status}`, status >= 500 || status === 429);
      }
      const declared = Number(response.headers['content-length'] ?? 0);
      const tooLong = new ReferenceFetchError(`${source} is larger than the limit of ${options.maxBytes} bytes`, false);
      if (declared > options.maxBytes) {
        response.destroy();
        throw tooLong;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      for await (const chunk of response) {
        length += (chunk as Buffer).length;
        // counted as it arrives: a body without a length is refused at the limit, not read whole first
        if (length > options.maxBytes) {
          response.destroy();
          throw tooLong;
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks, length);
    }
  } catch (err) {
    if (err instanceof ReferenceFetchError) throw err;
    if (timedOut) throw new ReferenceFetchError(`${source} did not arrive within ${seconds(options.totalMs)}`, true);
    if (idle() || (err as { idled?: boolean }).idled)
      throw new ReferenceFetchError(`${source} sent nothing for ${seconds(options.idleMs)}`, true);
    if (options.signal?.aborted) throw new ReferenceFetchError(`fetching ${source} was cancelled`, true);
    // the code (ECONNREFUSED, CERT_HAS_EXPIRED) says what broke without the address or port it broke at
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReferenceFetchError(`fetching ${source} failed${code ? ` (${code})` : ''}`, true);
  } finally {
    clearTimeout(total);
    options.signal?.removeEventListener('abort', onCancel);
  }
}
