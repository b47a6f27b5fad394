import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { consoleApp, type ConsoleDeps } from './app';
import { LiveStreams } from './live-streams';

export interface ConsoleServer {
  /** Where the console listens, e.g. http://127.0.0.1:8240. */
  url: string;
  close(): Promise<void>;
}

const loopback = new Set(['127.0.0.1', '::1', 'localhost']);

/** The console on a host that is not loopback without a token: anyone on the network could approve and spend. */
export class ConsoleExposedError extends Error {
  override readonly name = 'ConsoleExposedError';
}

/**
 * Starts the review console. A host other than loopback needs a token
 * (SCENEGATE_CONSOLE_TOKEN): the console's actions spend money.
 */
export async function startConsole(deps: ConsoleDeps & { host: string; port: number }): Promise<ConsoleServer> {
  if (!loopback.has(deps.host) && !deps.token) {
    throw new ConsoleExposedError(
      `the console would listen on ${deps.host} without an access token; set SCENEGATE_CONSOLE_TOKEN (16+ characters) or SCENEGATE_CONSOLE_HOST=127.0.0.1`
    );
  }
  const served = { port: deps.port };
  const live = new LiveStreams();
  const app = consoleApp(deps, served, live);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: deps.host, port: deps.port }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  served.port = port;
  const shown = deps.host.includes(':') ? `[${deps.host}]` : deps.host;
  return {
    url: `http://${shown}:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // live pages hold their streams open: end them rather than wait for the browser
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await live.close();
      await closed;
    },
  };
}
