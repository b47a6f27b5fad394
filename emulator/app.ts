import fs from 'node:fs';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import { lengthFirstBodyLimit } from '../common/body-limit';
import type { EmulatorCore } from './core';
import { parseGoDuration } from './go-duration';
import { validateInput } from './input-validation';
import { modelKnobsPatchSchema } from './knobs';
import { modelJson } from './model-json';
import { emulatedModels, type EmulatedModel } from './models';
import { drawFault } from './predictions';
import { problemResponse, problems } from './problems';

type EmulatorEnv = { Bindings: HttpBindings };
type EmulatorContext = Context<EmulatorEnv>;

const MAX_BODY = 50 * 1024 * 1024;

function parseJson(text: string): unknown {
  try {
    return text.length ? JSON.parse(text) : {};
  } catch {
    return undefined;
  }
}

/** The Prefer: wait seconds, if sync mode was asked for. */
function preferWait(prefer: string | undefined): number | undefined {
  const match = /wait(?:=(\d+))?/.exec(prefer ?? '');
  if (!match) return undefined;
  return Math.min(60, Math.max(1, Number(match[1] ?? 60)));
}

/**
 * The hosted API's surface, the delivery URLs and the control routes (`/_emulator/...`). A
 * request to any other route is answered 404 and recorded in the stats' `unknownRoutes`.
 */
export function emulatorApp(core: EmulatorCore): Hono<EmulatorEnv> {
  // a trailing slash names the same route
  const app = new Hono<EmulatorEnv>({ strict: false });
  const limited = lengthFirstBodyLimit({
    maxSize: MAX_BODY,
    onError: (c) => problemResponse(c, problems.payloadTooLarge(MAX_BODY)),
  });

  const findModel = (owner: string, name: string): EmulatedModel | undefined =>
    emulatedModels.find((m) => m.id === `${owner}/${name}`);

  const jsonBody = async (c: EmulatorContext): Promise<Record<string, unknown> | undefined> =>
    parseJson(await c.req.text()) as Record<string, unknown> | undefined;

  const unknownRoute = (c: EmulatorContext): Response => {
    const route = `${c.req.method} ${new URL(c.req.url).pathname}`;
    core.stats.unknownRoutes.push(route);
    return problemResponse(c, problems.notFound(`route ${route}`));
  };

  async function createPrediction(
    c: EmulatorContext,
    model: EmulatedModel | undefined,
    body: Record<string, unknown>
  ): Promise<Response> {
    if (!model) return problemResponse(c, problems.invalidVersion());
    const knobs = core.knobs(model.id);
    if (knobs.insufficientCredit) return problemResponse(c, problems.insufficientCredit());
    if (knobs.rateLimitNext > 0) {
      knobs.rateLimitNext--;
      core.stats.rateLimited++;
      const seconds = knobs.retryAfterSec;
      return problemResponse(c, problems.throttled(seconds), { 'retry-after': String(seconds) });
    }
    if (drawFault(core.host, model.id, 'serverError'))
      return problemResponse(c, problems.serverError(core.random() < 0.5 ? 500 : 503));
    const checked = validateInput(model, body.input);
    if (!checked.ok) return problemResponse(c, problems.invalidInput(checked.invalid));
    const cancelAfterHeader = c.req.header('cancel-after');
    let cancelAfterMs: number | undefined;
    if (cancelAfterHeader !== undefined) {
      cancelAfterMs = parseGoDuration(cancelAfterHeader);
      if (cancelAfterMs === undefined)
        return problemResponse(
          c,
          problems.badRequest(`Cancel-After "${cancelAfterHeader}" is not a duration such as 30s or 5m`)
        );
    }
    const prediction = core.store.create(model, body.input as Record<string, unknown>, checked.input, {
      webhook: typeof body.webhook === 'string' ? body.webhook : undefined,
      webhookEventsFilter: Array.isArray(body.webhook_events_filter)
        ? (body.webhook_events_filter as string[])
        : undefined,
      cancelAfterMs,
    });
    for (const listener of core.createdListeners) listener(prediction.id);
    if (knobs.createAnswerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, knobs.createAnswerDelayMs));
    if (drawFault(core.host, model.id, 'dropAfterCreate')) {
      // created and billed like any other, but the client never hears of it
      c.env.incoming.socket.destroy();
      return RESPONSE_ALREADY_SENT;
    }
    const location = { location: `${core.baseUrl}/predictions/${prediction.id}` };
    const wait = preferWait(c.req.header('prefer'));
    if (wait !== undefined) {
      await Promise.race([prediction.settled, new Promise((resolve) => setTimeout(resolve, wait * 1000))]);
      const json = core.store.toJson(prediction);
      // an unfinished sync answer reads as `starting`, as the hosted API's does
      if (!['succeeded', 'failed', 'canceled', 'aborted'].includes(prediction.status)) json.status = 'starting';
      return c.json(json, 201, location);
    }
    return c.json(core.store.toJson(prediction), 201, location);
  }

  function listPredictions(c: EmulatorContext): Response {
    const url = new URL(c.req.url);
    const after = url.searchParams.get('created_after');
    const before = url.searchParams.get('created_before');
    const all = core.store
      .list()
      .filter(
        (p) =>
          (!after || p.createdAt.getTime() >= Date.parse(after)) &&
          (!before || p.createdAt.getTime() <= Date.parse(before))
      );
    const pageSize = Math.min(100, Math.max(1, Number(url.searchParams.get('page_size') ?? 100)));
    const offset = Number(Buffer.from(url.searchParams.get('cursor') ?? '', 'base64url').toString() || 0);
    const page = all.slice(offset, offset + pageSize);
    const link = (at: number): string => {
      const next = new URL(url);
      next.searchParams.set('cursor', Buffer.from(String(at)).toString('base64url'));
      return `${core.origin}${next.pathname}${next.search}`;
    };
    return c.json({
      next: offset + pageSize < all.length ? link(offset + pageSize) : null,
      previous: offset > 0 ? link(Math.max(0, offset - pageSize)) : null,
      results: page.map((p) => core.store.toJson(p)),
    });
  }

  async function uploadFile(c: EmulatorContext): Promise<Response> {
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      return problemResponse(c, problems.badRequest('expected a multipart/form-data body with a "content" part'));
    }
    const content = form.get('content');
    if (!(content instanceof Blob)) return problemResponse(c, problems.badRequest('the "content" part is missing'));
    const metadataPart = form.get('metadata');
    let metadata: unknown = {};
    if (metadataPart instanceof Blob) metadata = parseJson(await metadataPart.text()) ?? {};
    else if (typeof metadataPart === 'string') metadata = parseJson(metadataPart) ?? {};
    const filenamePart = form.get('filename');
    const name = typeof filenamePart === 'string' ? filenamePart : ((content as File).name ?? 'file');
    const typePart = form.get('type');
    const contentType = typeof typePart === 'string' ? typePart : content.type || 'application/octet-stream';
    const file = core.files.add(name, contentType, Buffer.from(await content.arrayBuffer()), metadata);
    return c.json(core.files.toJson(file, core.baseUrl), 201);
  }

  app.use(async (c, next) => {
    const started = Date.now();
    core.stats.requests++;
    const { incoming, outgoing } = c.env;
    outgoing.once('finish', () =>
      core.logRequest({
        at: started,
        method: incoming.method ?? 'GET',
        path: incoming.url ?? '/',
        status: outgoing.statusCode,
      })
    );
    // Hono would answer a HEAD from the GET route; the hosted API's client sends none, so it stays an unknown route
    if (c.req.method === 'HEAD') return unknownRoute(c);
    await next();
  });

  app.get('/_emulator/stats', (c) => c.json(core.snapshot()));
  app.post('/_emulator/release', limited, async (c) => {
    const body = parseJson(await c.req.text()) as { count?: number; ids?: string[] } | undefined;
    return c.json({ released: core.store.release(body?.ids ?? body?.count) });
  });
  app.post('/_emulator/reset', (c) => {
    core.reset();
    return c.json({ ok: true });
  });
  app.post('/_emulator/config', limited, async (c) => {
    const body = parseJson(await c.req.text()) as { model?: string; knobs?: unknown } | undefined;
    const knobs = modelKnobsPatchSchema.safeParse(body?.knobs ?? {});
    if (!body?.model || !findModel(...(body.model.split('/') as [string, string])) || !knobs.success) {
      return problemResponse(
        c,
        problems.badRequest('expected {"model": "owner/name", "knobs": {...}} with known knobs')
      );
    }
    core.configure(body.model, knobs.data);
    return c.json(core.knobs(body.model));
  });

  app.get('/delivery/:id/:file', (c) => {
    const prediction = core.store.byId.get(c.req.param('id'));
    if (!prediction?.outputFile || prediction.dataRemoved) return problemResponse(c, problems.notFound('this file'));
    const size = fs.statSync(prediction.outputFile).size;
    // straight from the file to the socket: a web stream in between would cost CPU on every chunk of every download
    const { outgoing } = c.env;
    const type = prediction.outputFile.endsWith('.png') ? 'image/png' : 'video/mp4';
    outgoing.writeHead(200, { 'content-type': type, 'content-length': size });
    fs.createReadStream(prediction.outputFile).pipe(outgoing);
    return RESPONSE_ALREADY_SENT;
  });

  app.use('/v1/*', async (c, next) => {
    const match = /^(Bearer|Token)\s+(.+)$/.exec(c.req.header('authorization') ?? '');
    if (match?.[2] !== core.token) {
      core.stats.unauthorized++;
      return problemResponse(c, problems.unauthenticated());
    }
    await next();
  });
  app.post('/v1/models/:owner/:name/predictions', limited, async (c) => {
    const body = await jsonBody(c);
    if (!body) return problemResponse(c, problems.badRequest('the body is not JSON'));
    const { owner, name } = c.req.param();
    const model = findModel(owner, name);
    if (!model) return problemResponse(c, problems.notFound(`model ${owner}/${name}`));
    return createPrediction(c, model, body);
  });
  app.get('/v1/models/:owner/:name', (c) => {
    const { owner, name } = c.req.param();
    const model = findModel(owner, name);
    if (!model) return problemResponse(c, problems.notFound(`model ${owner}/${name}`));
    return c.json(modelJson(model, core.knobs(model.id).schemaChanges));
  });
  app.post('/v1/predictions', limited, async (c) => {
    const body = await jsonBody(c);
    if (!body) return problemResponse(c, problems.badRequest('the body is not JSON'));
    const version = String(body.version ?? '');
    const model = emulatedModels.find(
      (m) => m.version === version || `${m.id}:${m.version}` === version || m.id === version
    );
    return createPrediction(c, model, body);
  });
  app.get('/v1/predictions', listPredictions);
  app.get('/v1/predictions/:id', (c) => {
    const prediction = core.store.byId.get(c.req.param('id'));
    if (!prediction) return problemResponse(c, problems.notFound(`prediction ${c.req.param('id')}`));
    return c.json(core.store.toJson(prediction));
  });
  app.post('/v1/predictions/:id/cancel', (c) => {
    const prediction = core.store.byId.get(c.req.param('id'));
    if (!prediction) return problemResponse(c, problems.notFound(`prediction ${c.req.param('id')}`));
    core.store.cancel(prediction);
    return c.json(core.store.toJson(prediction));
  });
  app.post('/v1/files', limited, uploadFile);
  app.get('/v1/files', (c) =>
    c.json({
      next: null,
      previous: null,
      results: core.files.list().map((f) => core.files.toJson(f, core.baseUrl)),
    })
  );
  app.get('/v1/files/:id', (c) => {
    const file = core.files.get(c.req.param('id'));
    if (!file) return problemResponse(c, problems.notFound(`file ${c.req.param('id')}`));
    return c.json(core.files.toJson(file, core.baseUrl));
  });
  app.delete('/v1/files/:id', (c) => {
    if (!core.files.delete(c.req.param('id')))
      return problemResponse(c, problems.notFound(`file ${c.req.param('id')}`));
    return c.body(null, 204);
  });
  app.get('/v1/webhooks/default/secret', (c) => c.json({ key: core.webhookSecret }));

  app.notFound(unknownRoute);
  app.onError((err, c) => problemResponse(c, { status: 500, title: 'Internal server error', detail: err.message }));
  return app;
}
