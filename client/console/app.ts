import fs from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { loadCatalogue } from '../../common/catalogue-file';
import { workflowUiUrl } from '../../common/links';
import { projectRoot } from '../../common/paths';
import { LocalStorage } from '../../common/storage/local';
import { checkKey, type Storage } from '../../common/storage/storage';
import { UserFacingError } from '../../common/run-main';
import { loadSettings } from '../../common/settings';
import type { Catalogue } from '../../schema/catalogue';
import type { Progress } from '../../schema/progress';
import type { GenerationClient } from '../generation-client';
import { requireActionHeader, requireOwnHost, requireToken } from './access';
import { consoleHeaders, storedFileHeaders } from './headers';
import { runAction } from './actions';
import { listGenerations } from './listing';
import { LiveStreams, pause } from './live-streams';
import { Nudges } from './nudges';
import {
  generationPage,
  generationSections,
  listPage,
  listRows,
  messagePage,
  type PageLinks,
  type PlanFacts,
} from './pages';
import { PlanReader } from './plan-reader';

export interface ConsoleDeps {
  generations: GenerationClient;
  /** The workers' storage, whose clips and references the pages play and show. */
  storage: Storage;
  /** The Temporal Web UI, for the links on every page. */
  webUi?: { url: string; namespace: string };
  /** Asked for when set (SCENEGATE_CONSOLE_TOKEN). */
  token?: string;
  /** How often a live page looks for changes. */
  pollMs?: number;
  /** The address people were given (SCENEGATE_CONSOLE_URL): a console without a token answers at it too. */
  publicUrl?: string;
  /** Prices what approving a gate releases; the catalogue the settings name when not given. */
  catalogue?: Catalogue;
}

// from the project root, so a bundled build finds them too
const assets = path.join(projectRoot, 'client', 'console', 'assets');

/**
 * The review console's routes: pages, their live streams, the actions, and the stored clips and
 * references. `served.port` is the port it listens on, read per request (port 0 picks one).
 */
export function consoleApp(deps: ConsoleDeps, served: { port: number }, live = new LiveStreams()): Hono {
  const app = new Hono();
  const pollMs = deps.pollMs ?? 1000;
  const nudges = new Nudges();

  const links = (id: string): PageLinks => ({
    file(stored) {
      const key = keyOf(stored);
      return key === null ? null : `/files/${key.split('/').map(encodeURIComponent).join('/')}`;
    },
    webUi: webUiOf(id),
  });

  const webUiOf = (id: string): string | null =>
    deps.webUi ? workflowUiUrl(deps.webUi.url, deps.webUi.namespace, id) : null;

  const progressOf = async (id: string): Promise<Progress> => (await deps.generations.get(id)).progress();
  const catalogue = deps.catalogue ?? loadCatalogue(loadSettings());
  const plans = new PlanReader(deps.generations.client);
  const factsOf = async (p: Progress): Promise<PlanFacts> => ({
    plan: await plans.planOf(p.generationId, p.startedAt),
    model: catalogue.models.find((m) => m.id === p.model),
    scorers: catalogue.scorers,
  });

  app.use('*', consoleHeaders(deps.storage));
  if (deps.token) app.use('*', requireToken(deps.token));
  else app.use('*', requireOwnHost(served, deps.publicUrl ? [new URL(deps.publicUrl).host] : []));
  app.use('*', requireActionHeader);

  app.get('/assets/*', serveStatic({ root: assets, rewriteRequestPath: (p) => p.replace(/^\/assets/, '') }));
  const { storage } = deps;
  /** A stored file's key; runs recorded before storage keys hold absolute paths inside the folder. */
  const keyOf = (stored: string): string | null => {
    if (!path.isAbsolute(stored)) return stored;
    if (!(storage instanceof LocalStorage)) return null;
    const relative = path.relative(storage.root, stored);
    return relative.startsWith('..') ? null : relative.split(path.sep).join('/');
  };
  app.use('/files/*', storedFileHeaders);
  if (storage instanceof LocalStorage) {
    // before any worker stored a file the folder may not be there yet; serveStatic would warn on stderr
    fs.mkdirSync(storage.root, { recursive: true });
    app.get('/files/*', serveStatic({ root: storage.root, rewriteRequestPath: (p) => p.replace(/^\/files/, '') }));
  } else {
    // the browser fetches the object from the bucket itself, with byte ranges, on a short-lived URL
    app.get('/files/*', async (c) => {
      const key = decodeURIComponent(c.req.path.replace(/^\/files\//, ''));
      try {
        checkKey(key);
      } catch {
        return c.notFound();
      }
      return c.redirect(await storage.location(key, 3600), 302);
    });
  }

  app.get('/', async (c) => {
    const needsMe = c.req.query('needs') === 'me';
    return c.html(listPage(await listGenerations(deps.generations, needsMe), needsMe, webUiOf));
  });

  app.get('/live', (c) => {
    const needsMe = c.req.query('needs') === 'me';
    return streamSSE(c, (stream) =>
      live.run(async (closing) => {
        let last = '';
        while (!stream.aborted && !closing.aborted) {
          const rows = String(listRows(await listGenerations(deps.generations, needsMe), needsMe, webUiOf));
          if (rows !== last) await stream.writeSSE({ event: 'update', data: JSON.stringify({ rows }) });
          last = rows;
          await pause(pollMs * 2, closing);
        }
      })
    );
  });

  app.get('/generations/:id', async (c) => {
    const id = c.req.param('id');
    try {
      const progress = await progressOf(id);
      return c.html(generationPage(progress, links(id), await factsOf(progress)));
    } catch (err) {
      if (err instanceof UserFacingError) return c.html(messagePage('Not available', err.message), 404);
      return c.html(
        messagePage(
          'No answer',
          `generation ${id} did not answer (${(err as Error).message}); is a scenegate worker running on its task queue?`
        ),
        503
      );
    }
  });

  // sends the parts that changed since the last time, until the browser goes away
  app.get('/generations/:id/live', (c) => {
    const id = c.req.param('id');
    // the page was drawn from the progress of `at`: while it is unchanged nothing is redrawn
    const shownAt = c.req.query('at');
    return streamSSE(c, (stream) =>
      live.run(async (closing) => {
        const sent = new Map<string, string>();
        const page = new AbortController();
        stream.onAbort(() => page.abort());
        closing.addEventListener('abort', () => page.abort(), { once: true });
        // true once a read reached the page
        let following = false;
        while (!stream.aborted && !page.signal.aborted) {
          const seen = nudges.count(id);
          try {
            const progress = await progressOf(id);
            const sections = generationSections(progress, links(id), await factsOf(progress));
            if (!following && progress.updatedAt === shownAt) {
              for (const [key, markup] of Object.entries(sections)) sent.set(key, String(markup));
            }
            const changed = Object.fromEntries(
              Object.entries(sections)
                .map(([key, markup]) => [key, String(markup)] as const)
                .filter(([key, markup]) => sent.get(key) !== markup)
            );
            if (Object.keys(changed).length) {
              await stream.writeSSE({ event: 'update', data: JSON.stringify(changed) });
              for (const [key, markup] of Object.entries(changed)) sent.set(key, markup);
            }
            if (!following) {
              // from here on what the page shows follows the run (and the page can say so)
              await stream.writeSSE({ event: 'live', data: '' });
              following = true;
            }
          } catch {
            // a worker restarting does not answer for a moment; the page keeps what it shows
          }
          await nudges.wait(id, seen, pollMs, page.signal);
        }
      })
    );
  });

  const act = async (action: string, id: string, fields: Record<string, string | undefined>, sceneId?: string) => {
    const result = await runAction(deps.generations, id, action, fields, sceneId);
    if (result.ok) nudges.nudge(id);
    return result;
  };

  const fieldsOf = async (req: Request): Promise<Record<string, string | undefined>> => {
    const type = req.headers.get('content-type') ?? '';
    if (type.includes('application/json')) return (await req.json()) as Record<string, string>;
    const form = await req.formData();
    return Object.fromEntries([...form.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
  };

  app.post('/generations/:id/:action', async (c) => {
    const result = await act(c.req.param('action'), c.req.param('id'), await fieldsOf(c.req.raw));
    return c.json(result, result.ok ? 200 : 409);
  });
  app.post('/generations/:id/scenes/:sceneId/:action', async (c) => {
    const { id, sceneId, action } = c.req.param();
    const result = await act(action, id, await fieldsOf(c.req.raw), sceneId);
    return c.json(result, result.ok ? 200 : 409);
  });

  return app;
}
