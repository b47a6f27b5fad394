import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type HttpBindings } from '@hono/node-server';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { lengthFirstBodyLimit } from '../common/body-limit';
import { snapshotOf, type PredictionSnapshot } from '../schema/prediction';
import { webhookTargetOf } from '../schema/webhook-target';
import { predictionSettledSignal } from '../workflows/messages';

export interface WebhookReceiverOptions {
  /** Signals the generations. */
  client: Client;
  /** The account's signing secret (`whsec_…`), as GET /v1/webhooks/default/secret returns it. */
  fetchSecret(): Promise<string>;
  host: string;
  /** 0 picks a free port. */
  port: number;
  log(level: 'info' | 'warn', message: string, fields?: Record<string, unknown>): void;
}

/** A running receiver. */
export interface WebhookReceiver {
  /** Where it listens, e.g. `http://127.0.0.1:PORT/replicate-webhook` (a public URL may front it). */
  url: string;
  close(): Promise<void>;
}

type ReceiverEnv = { Bindings: HttpBindings };
type ReceiverContext = Context<ReceiverEnv>;

const MAX_BODY = 10 * 1024 * 1024;
/** Deliveries remembered to answer a duplicate without signalling again. */
const REMEMBERED = 2000;

/**
 * Receives Replicate's webhooks and turns each into a `predictionSettled` signal to the
 * generation the webhook URL names. It verifies the Standard Webhooks signature (HMAC-SHA256
 * with the account's secret, timestamps within five minutes, constant-time compare) and answers
 * 401 to a bad or stale one. It answers 2xx as soon as Temporal has the signal (a signal is
 * durable even while no worker runs), 503 when Temporal cannot be reached (Replicate retries the
 * final webhook, also when the secret cannot be fetched), and 2xx to a delivery for a generation
 * that no longer runs. Copies of one delivery make one signal, even when they arrive together,
 * and the workflow ignores a second end of the same prediction. What a signal says is a claim:
 * the workflow reads the prediction before it books or downloads anything.
 */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  let verifier: { webhook: Webhook; fetchedAt: number } | undefined;
  /** Each delivery's signal, kept from before it is sent: a copy arriving meanwhile waits for the same answer. */
  const remembered = new Map<string, Promise<void>>();

  /**
   * The account's secret. A failed fetch is answered with a bare 503 (Replicate retries): its
   * error is the upstream's answer, which may echo the request's headers, token included.
   */
  async function secret(): Promise<string> {
    try {
      return await options.fetchSecret();
    } catch (err) {
      options.log('warn', 'cannot fetch the webhook signing secret', upstreamFields(err));
      throw new HTTPException(503, { message: 'cannot verify webhooks now' });
    }
  }

  /** The verifier, fetched once; fetched again (at most once a minute) when a signature fails, in case the secret was rotated. */
  async function verify(body: Buffer, c: ReceiverContext): Promise<void> {
    const signed = {
      'webhook-id': c.req.header('webhook-id') ?? '',
      'webhook-timestamp': c.req.header('webhook-timestamp') ?? '',
      'webhook-signature': c.req.header('webhook-signature') ?? '',
    };
    for (let fresh = false; ; fresh = true) {
      if (!verifier || fresh) verifier = { webhook: new Webhook(await secret()), fetchedAt: Date.now() };
      try {
        verifier.webhook.verify(body, signed);
        return;
      } catch (err) {
        const message = err instanceof WebhookVerificationError ? err.message : String(err);
        const stale = /timestamp/i.test(message);
        if (fresh || stale || Date.now() - verifier.fetchedAt < 60_000) throw new HTTPException(401, { message });
      }
    }
  }

  async function receive(c: ReceiverContext): Promise<Response> {
    const body = Buffer.from(await c.req.arrayBuffer());
    await verify(body, c);
    const delivery = c.req.header('webhook-id')!;
    const target = webhookTargetOf(new URL(c.req.url));
    if (!target) throw new HTTPException(400, { message: 'the URL names no generation and key' });
    let prediction;
    try {
      prediction = snapshotOf(JSON.parse(body.toString('utf8')) as Parameters<typeof snapshotOf>[0]);
    } catch {
      throw new HTTPException(400, { message: 'the body is not a prediction' });
    }
    let signalled = remembered.get(delivery);
    if (!signalled) {
      signalled = signal(target, prediction);
      // marked before the await: a copy that arrives while this one signals must not signal again
      remembered.set(delivery, signalled);
      if (remembered.size > REMEMBERED) remembered.delete(remembered.keys().next().value!);
      // a failed signal is forgotten, so Replicate's retry of the delivery tries again
      signalled.catch(() => remembered.delete(delivery));
    }
    await signalled;
    return c.json({ ok: true });
  }

  async function signal(
    target: NonNullable<ReturnType<typeof webhookTargetOf>>,
    prediction: PredictionSnapshot
  ): Promise<void> {
    try {
      await options.client.workflow
        .getHandle(target.workflowId)
        .signal(predictionSettledSignal, { key: target.key, prediction });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError))
        throw new HTTPException(503, { message: `cannot signal the generation: ${(err as Error).message}` });
      options.log('info', 'webhook for a generation that no longer runs', { ...target, predictionId: prediction.id });
    }
  }

  /** Logs a refused delivery and answers its status with the reason as plain text. */
  function refuse(c: ReceiverContext, status: ContentfulStatusCode, reason: string, err?: Error): Response {
    options.log('warn', 'webhook refused', {
      status,
      reason,
      ...(err ? { error: `${err.name}: ${err.message}` } : {}),
      webhookId: c.req.header('webhook-id'),
      url: c.env.incoming.url,
    });
    return c.body(`${reason}\n`, status, { 'content-type': 'text/plain' });
  }

  // any path: the query names the generation and key, whatever path a public URL in front forwards to
  const app = new Hono<ReceiverEnv>();
  app.post('*', lengthFirstBodyLimit({ maxSize: MAX_BODY, onError: (c) => refuse(c, 413, 'body too large') }), receive);
  app.all('*', (c) => refuse(c, 405, 'only POST'));
  // the caller is not authenticated yet: an unexpected error's text stays in the log
  app.onError((err, c) =>
    err instanceof HTTPException ? refuse(c, err.status, err.message) : refuse(c, 500, 'internal error', err)
  );

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(s as Server));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 1000;
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/replicate-webhook`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * What the log keeps of an upstream failure: its kind and HTTP status, never its body or the
 * request it echoes (the `replicate` client's errors quote both, `Authorization` included).
 */
function upstreamFields(err: unknown): Record<string, unknown> {
  const status = (err as { response?: { status?: unknown } } | null)?.response?.status;
  return { error: err instanceof Error ? err.name : typeof err, ...(typeof status === 'number' ? { status } : {}) };
}
