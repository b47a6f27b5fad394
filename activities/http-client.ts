import http from 'node:http';
import https from 'node:https';

/**
 * The activities' HTTP to Replicate's API and to its outputs: node's own http and https with
 * keep-alive connections. Not the global fetch, whose web streams cost about twice the CPU on
 * the one thread that runs every activity; not the undici package either, whose import puts
 * its own dispatcher under every global fetch of the process.
 */
const agents: Record<string, http.Agent> = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** A request that hears nothing for this long fails (fetch's own limit was 300 s). */
const IDLE_MS = 120_000;

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** Sends one request; resolves with the response once its headers are in (its body still to read). */
export function send(url: URL, options: HttpRequest = {}): Promise<http.IncomingMessage> {
  const agent = agents[url.protocol];
  if (!agent) return Promise.reject(new TypeError(`cannot fetch ${url.protocol} URLs: ${url.href}`));
  const { request } = url.protocol === 'https:' ? https : http;
  const headers = { ...options.headers };
  // a known length, as fetch sends it, rather than a chunked body
  if (options.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) {
    headers['content-length'] = String(Buffer.byteLength(options.body));
  }
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers, agent, signal: options.signal }, resolve);
    outgoing.setTimeout(IDLE_MS, () =>
      outgoing.destroy(new Error(`${url.origin} sent nothing for ${IDLE_MS / 1000} s`))
    );
    outgoing.once('error', reject);
    outgoing.end(options.body);
  });
}

/** The whole body of a response. */
export async function readBody(response: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
