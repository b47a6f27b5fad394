import crypto from 'node:crypto';

export interface WebhookOptions {
  /** `whsec_<base64 key>`, as GET /v1/webhooks/default/secret returns. */
  secret: string;
  /** First retry delay of the terminal webhook; doubled each try. */
  retryBaseMs: number;
  maxTries: number;
}

/** A fresh secret in the hosted API's format. */
export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString('base64')}`;
}

/**
 * Signs a body the Standard Webhooks way: HMAC-SHA256 over `id.timestamp.body` keyed with the
 * base64-decoded part of the secret after `whsec_`, sent as `v1,<base64>`.
 */
function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice(secret.indexOf('_') + 1), 'base64');
  return `v1,${crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * Delivers one webhook. Only terminal ones are retried (as the hosted API does), with
 * exponential backoff, on a network error or a non-2xx answer. Resolves to the number of tries.
 */
export async function deliverWebhook(
  url: string,
  payload: unknown,
  terminal: boolean,
  options: WebhookOptions,
  isClosed: () => boolean
): Promise<number> {
  const id = `msg_${crypto.randomBytes(12).toString('hex')}`;
  const body = JSON.stringify(payload);
  const tries = terminal ? options.maxTries : 1;
  for (let attempt = 1; attempt <= tries && !isClosed(); attempt++) {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(options.secret, id, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(5000),
      });
      await response.arrayBuffer();
      if (response.ok) return attempt;
    } catch {
      // unreachable receiver: retried below like a non-2xx
    }
    if (attempt < tries) await new Promise((resolve) => setTimeout(resolve, options.retryBaseMs * 2 ** (attempt - 1)));
  }
  return tries;
}
