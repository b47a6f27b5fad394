import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import fs from 'node:fs';
import { parseGoDuration } from './go-duration';
import { validateInput } from './input-validation';
import { modelKnobsPatchSchema } from './knobs';
import { emulatedModels, type EmulatedModel } from './models';
import { drawFault, type EmulatedPrediction } from './predictions';
import { problems, sendJson, sendProblem } from './problems';
import type { EmulatorCore } from './core';

const MAX_BODY = 50 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return body.length ? JSON.parse(body.toString()) : {};
  } catch {
    return undefined;
  }
}

/** The Prefer: wait seconds, if sync mode was asked for. */
function preferWait(req: IncomingMessage): number | undefined {
  const match = /wait(?:=(\d+))?/.exec(String(req.headers.prefer ?? ''));
  if (!match) return undefined;
  return Math.min(60, Math.max(1, Number(match[1] ?? 60)));
}

/** Routes one request of the hosted API's surface, the delivery URLs and the control routes. */
export function createHandler(core: EmulatorCore): RequestListener {
  const findModel = (owner: string, name: string): EmulatedModel | undefined =>
    emulatedModels.find((m) => m.id === `${owner}/${name}`);

  const authorized = (req: IncomingMessage): boolean => {
    const header = String(req.headers.authorization ?? '');
    const match = /^(Bearer|Token)\s+(.+)$/.exec(header);
    return match?.[2] === core.token;
  };

  async function createPrediction(
    req: IncomingMessage,
    res: ServerResponse,
    model: EmulatedModel | undefined,
    body: Record<string, unknown>
  ): Promise<void> {
    if (!model) return sendProblem(res, problems.invalidVersion());
    const knobs = core.knobs(model.id);
    if (knobs.insufficientCredit) return sendProblem(res, problems.insufficientCredit());
    if (knobs.rateLimitNext > 0) {
      knobs.rateLimitNext--;
      core.stats.rateLimited++;
      const seconds = knobs.retryAfterSec;
      return sendProblem(res, problems.throttled(seconds), { 'retry-after': String(seconds) });
    }
    if (drawFault(core.host, model.id, 'serverError'))
      return sendProblem(res, problems.serverError(core.random() < 0.5 ? 500 : 503));
    const checked = validateInput(model, body.input);
    if (!checked.ok) return sendProblem(res, problems.invalidInput(checked.invalid));
    const cancelAfterHeader = req.headers['cancel-after'];
    let cancelAfterMs: number | undefined;
    if (cancelAfterHeader !== undefined) {
      cancelAfterMs = parseGoDuration(String(cancelAfterHeader));
      if (cancelAfterMs === undefined)
        return sendProblem(
          res,
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
      req.socket.destroy();
      return;
    }
    const wait = preferWait(req);
    if (wait !== undefined) {
      await Promise.race([prediction.settled, new Promise((resolve) => setTimeout(resolve, wait * 1000))]);
      const json = core.store.toJson(prediction);
      // an unfinished sync answer reads as `starting`, as the hosted API's does
      if (!['succeeded', 'failed', 'canceled', 'aborted'].includes(prediction.status)) json.status = 'starting';
      return sendJson(res, 201, json, { location: `${core.baseUrl}/predictions/${prediction.id}` });
    }
    sendJson(res, 201, core.store.toJson(prediction), { location: `${core.baseUrl}/predictions/${prediction.id}` });
  }

  function listPredictions(url: URL, res: ServerResponse): void {
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
    sendJson(res, 200, {
      next: offset + pageSize < all.length ? link(offset + pageSize) : null,
      previous: offset > 0 ? link(Math.max(0, offset - pageSize)) : null,
      results: page.map((p) => core.store.toJson(p)),
    });
  }

  async function uploadFile(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    let form: FormData;
    try {
      form = await new Request('http://emulator/files', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type'] ?? '') },
        body,
      }).formData();
    } catch {
      return sendProblem(res, problems.badRequest('expected a multipart/form-data body with a "content" part'));
    }
    const content = form.get('content');
    if (!(content instanceof Blob)) return sendProblem(res, problems.badRequest('the "content" part is missing'));
    const metadataPart = form.get('metadata');
    let metadata: unknown = {};
    if (metadataPart instanceof Blob) metadata = parseJson(Buffer.from(await metadataPart.arrayBuffer())) ?? {};
    else if (typeof metadataPart === 'string') metadata = parseJson(Buffer.from(metadataPart)) ?? {};
    const filenamePart = form.get('filename');
    const name = typeof filenamePart === 'string' ? filenamePart : ((content as File).name ?? 'file');
    const typePart = form.get('type');
    const contentType = typeof typePart === 'string' ? typePart : content.type || 'application/octet-stream';
    const file = core.files.add(name, contentType, Buffer.from(await content.arrayBuffer()), metadata);
    sendJson(res, 201, core.files.toJson(file, core.baseUrl));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', core.origin);
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').filter(Boolean);

    if (parts[0] === '_emulator') {
      if (method === 'GET' && parts[1] === 'stats') return sendJson(res, 200, core.snapshot());
      if (method === 'POST' && parts[1] === 'release') {
        const body = parseJson(await readBody(req)) as { count?: number; ids?: string[] } | undefined;
        return sendJson(res, 200, { released: core.store.release(body?.ids ?? body?.count) });
      }
      if (method === 'POST' && parts[1] === 'reset') {
        core.reset();
        return sendJson(res, 200, { ok: true });
      }
      if (method === 'POST' && parts[1] === 'config') {
        const body = parseJson(await readBody(req)) as { model?: string; knobs?: unknown } | undefined;
        const knobs = modelKnobsPatchSchema.safeParse(body?.knobs ?? {});
        if (!body?.model || !findModel(...(body.model.split('/') as [string, string])) || !knobs.success) {
          return sendProblem(
            res,
            problems.badRequest('expected {"model": "owner/name", "knobs": {...}} with known knobs')
          );
        }
        core.configure(body.model, knobs.data);
        return sendJson(res, 200, core.knobs(body.model));
      }
    }
    if (parts[0] === 'delivery' && method === 'GET' && parts.length === 3) {
      const prediction = core.store.byId.get(parts[1]!);
      if (!prediction?.outputFile || prediction.dataRemoved) return sendProblem(res, problems.notFound('this file'));
      const size = fs.statSync(prediction.outputFile).size;
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': size });
      fs.createReadStream(prediction.outputFile).pipe(res);
      return;
    }
    if (parts[0] !== 'v1') return unknown();
    if (!authorized(req)) {
      core.stats.unauthorized++;
      return sendProblem(res, problems.unauthenticated());
    }
    const rest = parts.slice(1);
    const json = async (): Promise<Record<string, unknown> | undefined> =>
      parseJson(await readBody(req)) as Record<string, unknown> | undefined;

    if (rest[0] === 'models' && rest.length === 4 && rest[3] === 'predictions' && method === 'POST') {
      const body = await json();
      if (!body) return sendProblem(res, problems.badRequest('the body is not JSON'));
      const model = findModel(rest[1]!, rest[2]!);
      if (!model) return sendProblem(res, problems.notFound(`model ${rest[1]}/${rest[2]}`));
      return createPrediction(req, res, model, body);
    }
    if (rest[0] === 'models' && rest.length === 3 && method === 'GET') {
      const model = findModel(rest[1]!, rest[2]!);
      if (!model) return sendProblem(res, problems.notFound(`model ${rest[1]}/${rest[2]}`));
      return sendJson(res, 200, modelJson(model));
    }
    if (rest[0] === 'predictions') {
      if (rest.length === 1 && method === 'POST') {
        const body = await json();
        if (!body) return sendProblem(res, problems.badRequest('the body is not JSON'));
        const version = String(body.version ?? '');
        const model = emulatedModels.find(
          (m) => m.version === version || `${m.id}:${m.version}` === version || m.id === version
        );
        return createPrediction(req, res, model, body);
      }
      if (rest.length === 1 && method === 'GET') return listPredictions(url, res);
      const prediction: EmulatedPrediction | undefined = core.store.byId.get(rest[1] ?? '');
      if (!prediction) return sendProblem(res, problems.notFound(`prediction ${rest[1]}`));
      if (rest.length === 2 && method === 'GET') return sendJson(res, 200, core.store.toJson(prediction));
      if (rest.length === 3 && rest[2] === 'cancel' && method === 'POST') {
        core.store.cancel(prediction);
        return sendJson(res, 200, core.store.toJson(prediction));
      }
    }
    if (rest[0] === 'files') {
      if (rest.length === 1 && method === 'POST') return uploadFile(req, res, await readBody(req));
      if (rest.length === 1 && method === 'GET') {
        return sendJson(res, 200, {
          next: null,
          previous: null,
          results: core.files.list().map((f) => core.files.toJson(f, core.baseUrl)),
        });
      }
      const file = core.files.get(rest[1] ?? '');
      if (!file) return sendProblem(res, problems.notFound(`file ${rest[1]}`));
      if (rest.length === 2 && method === 'GET') return sendJson(res, 200, core.files.toJson(file, core.baseUrl));
      if (rest.length === 2 && method === 'DELETE') {
        core.files.delete(file.id);
        res.writeHead(204).end();
        return;
      }
    }
    if (rest.join('/') === 'webhooks/default/secret' && method === 'GET')
      return sendJson(res, 200, { key: core.webhookSecret });
    return unknown();

    function unknown(): void {
      core.stats.unknownRoutes.push(`${method} ${url.pathname}`);
      sendProblem(res, problems.notFound(`route ${method} ${url.pathname}`));
    }
  }

  return (req, res) => {
    const started = Date.now();
    core.stats.requests++;
    res.on('finish', () =>
      core.logRequest({ at: started, method: req.method ?? 'GET', path: req.url ?? '/', status: res.statusCode })
    );
    route(req, res).catch((err: Error) => {
      if (!res.headersSent) sendProblem(res, { status: 500, title: 'Internal server error', detail: err.message });
      else res.destroy();
    });
  };
}

function modelJson(model: EmulatedModel): Record<string, unknown> {
  const properties = Object.fromEntries(
    Object.entries(model.inputs).map(([name, f]) => [
      name,
      {
        type: f.type === 'uri[]' ? 'array' : f.type === 'uri' ? 'string' : f.type,
        ...(f.type === 'uri' ? { format: 'uri' } : {}),
        ...(f.type === 'uri[]' ? { items: { type: 'string', format: 'uri' } } : {}),
        ...(f.enum ? { enum: f.enum } : {}),
        ...(f.default !== undefined ? { default: f.default } : {}),
        ...(f.minimum !== undefined ? { minimum: f.minimum } : {}),
        ...(f.maximum !== undefined ? { maximum: f.maximum } : {}),
        description: f.description,
      },
    ])
  );
  const required = Object.entries(model.inputs)
    .filter(([, f]) => f.required)
    .map(([name]) => name);
  return {
    url: `https://replicate.com/${model.id}`,
    owner: model.id.split('/')[0],
    name: model.id.split('/')[1],
    description: model.description,
    visibility: 'public',
    latest_version: {
      id: model.version,
      created_at: '2025-01-01T00:00:00.000Z',
      cog_version: '0.14.0',
      openapi_schema: { components: { schemas: { Input: { type: 'object', properties, required } } } },
    },
  };
}
