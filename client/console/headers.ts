import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { LocalStorage } from '../../common/storage/local';
import type { Storage } from '../../common/storage/storage';

/**
 * The stored files' own policy: a clip or reference opened by itself is shown, never run. A
 * file a plan brought in (an SVG with a script) would otherwise be a page of the console's
 * origin, able to approve and spend; `sandbox` gives it an origin of its own.
 */
const filesPolicy =
  "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";

/**
 * Headers on every answer: nothing may frame the console (one click in a frame could approve
 * a gate), no type sniffing, and pages run only the console's own script and styles.
 * `/files/*` keeps the stricter policy it sets itself.
 */
export function consoleHeaders(storage: Storage): MiddlewareHandler {
  // with a bucket, pages show clips and references from its presigned URLs' origin: learnt at the first answer
  let bucket: string | undefined;
  const stored = (): string => bucket ?? '';
  const headers = secureHeaders({
    xFrameOptions: 'DENY',
    // whether to pin https for a name (and its subdomains) is the operator's proxy's decision
    strictTransportSecurity: false,
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', stored],
      mediaSrc: ["'self'", stored],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    overwrite: false,
  });
  return async (c, next) => {
    if (bucket === undefined && !(storage instanceof LocalStorage)) {
      // presigning is local, it sends nothing; failing, it is tried again at the next answer
      bucket = await storage.location('console-policy', 60).then(
        (url) => new URL(url).origin,
        () => undefined
      );
    }
    return headers(c, next);
  };
}

/** Sets `filesPolicy` on the stored files it serves. */
export const storedFileHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', filesPolicy);
};
