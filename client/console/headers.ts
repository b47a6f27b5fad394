import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { LocalStorage } from '../../common/storage/local';
import type { Storage } from '../../common/storage/storage';

/**
 * The stored files' own policy: a clip or reference opened by itself is shown, never run. A
 * file a plan brought in (an SVG, an HTML page named .png) would otherwise be a page of the
 * console's origin, able to approve and spend; `sandbox` gives it an origin of its own.
 */
export const filesPolicy =
  "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";

/** With a bucket, the pages show clips and references from its presigned URLs' origin. */
async function storedFilesOrigin(storage: Storage): Promise<string | null> {
  if (storage instanceof LocalStorage) return null;
  // presigning is local: this sends nothing
  return new URL(await storage.location('console-policy', 60)).origin;
}

/**
 * Headers on every answer: nothing may frame the console (one click in a frame could approve
 * a gate), no type sniffing, and pages run only the console's own script and styles.
 * `/files/*` keeps the stricter policy it sets itself.
 */
export async function consoleHeaders(storage: Storage): Promise<MiddlewareHandler> {
  const bucket = await storedFilesOrigin(storage);
  const stored = bucket ? ["'self'", bucket] : ["'self'"];
  return secureHeaders({
    xFrameOptions: 'DENY',
    // whether to pin https for a name (and its subdomains) is the operator's proxy's decision
    strictTransportSecurity: false,
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: [...stored, 'data:'],
      mediaSrc: stored,
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    overwrite: false,
  });
}

/** Sets `filesPolicy` on the stored files it serves. */
export const storedFileHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', filesPolicy);
};
