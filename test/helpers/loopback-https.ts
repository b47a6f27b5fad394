import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

/** An https server on loopback with a throwaway self-signed certificate, counting every connection made to it. */
export interface LoopbackHttps {
  /** `https://127.0.0.1:PORT` */
  origin: string;
  /** TCP connections accepted so far, whether or not their TLS handshake succeeded. */
  connections(): number;
  close(): Promise<void>;
}

/** Starts the server; every request is answered 200 with a few bytes. */
export async function startLoopbackHttps(): Promise<LoopbackHttps> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scenegate-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'].concat([
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ]),
      { stdio: 'ignore' }
    );
    const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) =>
      res.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.alloc(64))
    );
    let connections = 0;
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return {
      origin: `https://127.0.0.1:${port}`,
      connections: () => connections,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
