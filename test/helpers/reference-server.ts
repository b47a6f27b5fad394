/**
 * An https server on loopback with a certificate made for the test, standing in for the web
 * hosts reference URLs point at. A worker trusts it only when told to
 * (SCENEGATE_REFERENCE_ALLOWED_ADDRESSES, SCENEGATE_REFERENCE_CA_FILE, or the same in ActivityDeps).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ReferenceServer {
  /** `https://127.0.0.1:<port>` */
  origin: string;
  /** The certificate (PEM), to trust as a CA. */
  cert: string;
  /** Its file, for SCENEGATE_REFERENCE_CA_FILE. */
  certFile: string;
  /** The paths of the requests that arrived, in order. */
  requests: string[];
  /** TCP connections accepted so far, whether or not a request followed (a refused fetch makes none). */
  connections(): number;
  close(): Promise<void>;
}

export type ReferenceRoute = (req: IncomingMessage, res: ServerResponse) => void;

/** A self-signed certificate for 127.0.0.1, ::1 and localhost, made by openssl (valid a day). */
async function testCertificate(dir: string): Promise<{ key: string; cert: string; certFile: string }> {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=scenegate reference test',
      '-addext',
      'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
    ],
    { stdio: 'ignore' }
  );
  return { key: await fs.readFile(keyFile, 'utf8'), cert: await fs.readFile(certFile, 'utf8'), certFile };
}

/** Starts the server on 127.0.0.1 with `routes` by path; any other path answers 404. */
export async function startReferenceServer(routes: Record<string, ReferenceRoute>): Promise<ReferenceServer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-ref-server-'));
  const { key, cert, certFile } = await testCertificate(dir);
  const requests: string[] = [];
  const server = https.createServer({ key, cert }, (req, res) => {
    requests.push(req.url ?? '');
    const route = routes[new URL(req.url ?? '/', 'https://x').pathname];
    if (route) return route(req, res);
    res.writeHead(404).end();
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    cert,
    certFile,
    requests,
    connections: () => connections,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Answers with `total` bytes of `head` then zeros, without a content-length (chunked), writing
 * only as fast as the client reads; `sent` reports how many went out before the client hung up.
 */
export function chunkedBody(head: Buffer, total: number, sent: (bytes: number, finished: boolean) => void) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'image/png' });
    const block = Buffer.alloc(64 * 1024);
    let written = 0;
    let done = false;
    const finish = (finished: boolean): void => {
      if (done) return;
      done = true;
      sent(written, finished);
    };
    res.on('close', () => finish(written >= total));
    const pump = (): void => {
      while (written < total) {
        const piece = written === 0 ? Buffer.concat([head, block]).subarray(0, block.length) : block;
        const part = piece.subarray(0, Math.min(piece.length, total - written));
        written += part.length;
        if (!res.write(part)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };
}
