import net from 'node:net';

/**
 * Temporal's PostgreSQL schema keeps a service's port in a SMALLINT (`cluster_membership.rpc_port`),
 * so a port above 32767 stops the server at start ("value ... is out of range for type smallint").
 * The OS hands out free ports from 32768 up on Linux, so these are drawn from below.
 */
const lowest = 10_000;
const highest = 32_767;

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port between 10000 and 32767 nothing listens on now, and not in `taken` (ports already handed out). */
export async function freeServicePort(host: string, taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = lowest + Math.floor(Math.random() * (highest - lowest + 1));
    if (taken.has(port) || !(await canListen(host, port))) continue;
    taken.add(port);
    return port;
  }
  throw new Error(`no free port between ${lowest} and ${highest} on ${host} after 500 tries`);
}
