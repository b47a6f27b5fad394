import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { h } from './markup';
import { messagePage } from './pages';

const cookieName = 'scenegate_console';

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * What the sign-in cookie holds: derived from the token, so a cookie read from a browser profile
 * or a proxy's log is not the token scripts use, and a new token signs every browser out.
 */
export const sessionOf = (token: string): string =>
  createHmac('sha256', token).update('scenegate console session').digest('base64url');

/** Over https itself, or behind a proxy that ended TLS: the browser may send the cookie only over https then. */
const overHttps = (c: Context): boolean =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';

/** A page opened from a link on another site: its request carries no SameSite=Strict cookie. */
const arrivedFromElsewhere = (c: Context): boolean =>
  c.req.header('sec-fetch-mode') === 'navigate' && c.req.header('sec-fetch-site') === 'cross-site';

/**
 * The console's access token, when one is configured: a link with `?token=` once (then a
 * cookie the browser keeps for the console's origin only), or `Authorization: Bearer` for scripts.
 */
export function requireToken(token: string): MiddlewareHandler {
  const session = sessionOf(token);
  return async (c, next) => {
    const fromQuery = c.req.query('token');
    if (fromQuery !== undefined && same(fromQuery, token)) {
      setCookie(c, cookieName, session, { httpOnly: true, sameSite: 'Strict', path: '/', secure: overHttps(c) });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      // `//elsewhere` would be another site's address
      return c.redirect(`${url.pathname.replace(/^\/+/, '/')}${url.search}`);
    }
    const bearer = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
    const cookie = getCookie(c, cookieName);
    if ((bearer !== undefined && same(bearer, token)) || (cookie !== undefined && same(cookie, session))) return next();
    if (c.req.method === 'GET' && arrivedFromElsewhere(c)) {
      // a SameSite=Strict cookie stays behind when a link on another site (a chat message, a
      // notification) brought the browser here; asked again from this page, it comes along
      const here = new URL(c.req.url);
      return c.html(
        h`<!doctype html><meta http-equiv="refresh" content="0; url=${here.pathname.replace(/^\/+/, '/')}${here.search}" /><title>scenegate</title>`
      );
    }
    return c.html(
      messagePage(
        'Access token needed',
        'This console asks for its access token (SCENEGATE_CONSOLE_TOKEN): open it once as /?token=… to sign in.'
      ),
      401
    );
  };
}

/**
 * Whether a Host header names this machine's loopback (`localhost`, `127.x.x.x`, `[::1]`) on
 * `port`, or is one of `named` exactly. A name an attacker's DNS answers with 127.0.0.1 is neither.
 */
export function isOwnHost(host: string | undefined, port: number, named: readonly string[] = []): boolean {
  if (!host) return false;
  if (named.includes(host.toLowerCase())) return true;
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    return false;
  }
  // only the plain form: `0x7f.1` or `user@localhost` are not how a browser addresses the console
  const plain = host.toLowerCase();
  if (url.host !== plain && `${url.host}:80` !== plain) return false;
  if (Number(url.port || 80) !== port) return false;
  const name = url.hostname;
  return name === 'localhost' || name === '[::1]' || (isIPv4(name) && name.startsWith('127.'));
}

/**
 * A console without a token answers only requests addressed to it by a loopback name or
 * address (or `named`, the address people were given). Without this, a page whose own name the
 * attacker's DNS turns into 127.0.0.1 (DNS rebinding) is same-origin with the console: it reads
 * the pages and sends the action header. With a token this check is not needed (such a page has
 * no cookie for its name), and behind a proxy the console is reached by names it cannot know.
 */
export function requireOwnHost(served: { port: number }, named: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    if (isOwnHost(c.req.header('host'), served.port, named)) return next();
    return c.html(
      messagePage(
        'Not this address',
        'Without an access token the console answers only at 127.0.0.1, localhost or [::1] on its port (or at SCENEGATE_CONSOLE_URL): open it there, or set SCENEGATE_CONSOLE_TOKEN.'
      ),
      403
    );
  };
}

/**
 * Actions need a header a cross-site form cannot send (a browser asks first, and the console
 * never allows it), so another page open in the same browser cannot approve or spend.
 */
export const requireActionHeader: MiddlewareHandler = async (c, next) => {
  if (c.req.method === 'POST' && c.req.header('x-scenegate-action') !== '1') {
    return c.json({ ok: false, message: 'actions are sent by the console page (header X-Scenegate-Action: 1)' }, 403);
  }
  return next();
};
