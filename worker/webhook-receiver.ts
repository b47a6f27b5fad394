import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
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

const MAX_BODY = 10 * 1024 * 1024;
/** Deliveries remembered to answer a duplicate without signalling again. */
const REMEMBERED = 2000;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpProblem(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

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
  async function verify(body: Buffer, headers: http.IncomingHttpHeaders): Promise<void> {
    const pick = (name: string): string => String(headers[name] ?? '');
    const signed = {
      'webhook-id': pick('webhook-id'),
      'webhook-timestamp': pick('webhook-timestamp'),
      'webhook-signature': pick('webhook-signature'),
    };
    for (let fresh = false; ; fresh = true) {
      if (!verifier || fresh) verifier = { webhook: new Webhook(await options.fetchSecret()), fetchedAt: Date.now() };
      try {
        verifier.webhook.verify(body, signed);
        return;
      } catch (err) {
        const message = err instanceof WebhookVerificationError ? err.message : String(err);
        const stale = /timestamp/i.test(message);
        if (fresh || stale || Date.now() - verifier.fetchedAt < 60_000) throw new HttpProblem(401, message);
      }
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'POST') throw new HttpProblem(405, 'only POST');
    const body = await readBody(req);
    await verify(body, req.headers);
    const delivery = String(req.headers['webhook-id']);
    const target = webhookTargetOf(new URL(req.url ?? '/', 'http://receiver'));
    if (!target) throw new HttpProblem(400, 'the URL names no generation and key');
    let prediction;
    try {
      prediction = snapshotOf(JSON.parse(body.toString('utf8')) as Parameters<typeof snapshotOf>[0]);
    } catch {
      throw new HttpProblem(400, 'the body is not a prediction');
    }
    if (!remembered.has(delivery)) {
      try {
        await options.client.workflow
          .getHandle(target.workflowId)
          .signal(predictionSettledSignal, { key: target.key, prediction });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError))
          throw new HttpProblem(503, `cannot signal the generation: ${(err as Error).message}`);
        options.log('info', 'webhook for a generation that no longer runs', { ...target, predictionId: prediction.id });
      }
      remembered.add(delivery);
      if (remembered.size > REMEMBERED) remembered.delete(remembered.values().next().value!);
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpProblem ? err.status : 500;
      options.log('warn', 'webhook refused', {
        status,
        reason: (err as Error).message,
        webhookId: req.headers['webhook-id'],
        url: req.url,
      });
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
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
