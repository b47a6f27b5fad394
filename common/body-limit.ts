import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Hono's `bodyLimit` for the servers on @hono/node-server, which lets a request that declares a
 * length within the limit through without asking it. bodyLimit would check only that number too,
 * but it first reads `c.req.raw.body`, for which @hono/node-server builds a whole web Request
 * with web streams: about 0.2 ms of CPU a request, where the handler then reads the body
 * straight from node's stream. Chunked and oversized bodies go to bodyLimit, which answers
 * `onError` (413 by default).
 */
export function lengthFirstBodyLimit(options: Parameters<typeof bodyLimit>[0]): MiddlewareHandler {
  const limit = bodyLimit(options);
  return (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && !c.req.header('transfer-encoding') && Number(length) <= options.maxSize) return next();
    return limit(c, next);
  };
}
