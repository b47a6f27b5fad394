import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { messagePage } from './pages';

const cookieName = 'scenegate_console';

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The console's access token, when one is configured: a link with `?token=` once (then a
 * cookie the browser keeps for the console's origin only), or `Authorization: Bearer` for scripts.
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const fromQuery = c.req.query('token');
    if (fromQuery !== undefined && same(fromQuery, token)) {
      setCookie(c, cookieName, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`);
    }
    const bearer = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
    const presented = bearer ?? getCookie(c, cookieName);
    if (presented !== undefined && same(presented, token)) return next();
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
 * Actions need a header a cross-site form cannot send (a browser asks first, and the console
 * never allows it), so another page open in the same browser cannot approve or spend.
 */
export const requireActionHeader: MiddlewareHandler = async (c, next) => {
  if (c.req.method === 'POST' && c.req.header('x-scenegate-action') !== '1') {
    return c.json({ ok: false, message: 'actions are sent by the console page (header X-Scenegate-Action: 1)' }, 403);
  }
  return next();
};
