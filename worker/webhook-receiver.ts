import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type HttpBindings } from '@hono/node-server';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { lengthFirstBodyLimit } from '../common/body-limit';
import { snapshotOf } from '../schema/prediction';
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
 * final webhook), and 2xx to a delivery for a generation that no longer runs. A duplicate changes
 * nothing: the workflow ignores a second end of the same prediction.
 */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  let verifier: { webhook: Webhook; fetchedAt: number } | undefined;
  const remembered = new Set<string>();

  /** The verifier, fetched once; fetched again (at most once a minute) when a signature fails, in case the secret was rotated. */
  async function verify(body: Buffer, c: ReceiverContext): Promise<void> {
    const signed = {
      'webhook-id': c.req.header('webhook-id') ?? '',
      'webhook-timestamp': c.req.header('webhook-timestamp') ?? '',
      'webhook-signature': c.req.header('webhook-signature') ?? '',
    };
    for (let fresh = false; ; fresh = true) {
      if (!verifier || fresh) verifier = { webhook: new Webhook(await options.fetchSecret()), fetchedAt: Date.now() };
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
    if (!remembered.has(delivery)) {
      try {
        await options.client.workflow
          .getHandle(target.workflowId)
          .signal(predictionSettledSignal, { key: target.key, prediction });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError))
          throw new HTTPException(503, { message: `cannot signal the generation: ${(err as Error).message}` });
        options.log('info', 'webhook for a generation that no longer runs', { ...target, predictionId: prediction.id });
      }
      remembered.add(delivery);
      if (remembered.size > REMEMBERED) remembered.delete(remembered.values().next().value!);
    }
    return c.json({ ok: true });
  }

  /** Logs a refused delivery and answers its status with the reason as plain text. */
  function refuse(c: ReceiverContext, status: ContentfulStatusCode, reason: string): Response {
    options.log('warn', 'webhook refused', {
      status,
      reason,
      webhookId: c.req.header('webhook-id'),
      url: c.env.incoming.url,
    });
    return c.body(`${reason}\n`, status, { 'content-type': 'text/plain' });
  }

  // any path: the query names the generation and key, whatever path a public URL in front forwards to
  const app = new Hono<ReceiverEnv>();
  app.post('*', lengthFirstBodyLimit({ maxSize: MAX_BODY, onError: (c) => refuse(c, 413, 'body too large') }), receive);
  app.all('*', (c) => refuse(c, 405, 'only POST'));
  app.onError((err, c) => refuse(c, err instanceof HTTPException ? err.status : 500, err.message));

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
