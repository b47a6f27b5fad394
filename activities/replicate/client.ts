import Replicate from 'replicate';
import { singleShotFetch } from './single-shot-fetch';

/** Where and how scenes reach Replicate. The token never leaves the worker process. */
export interface ReplicateConnection {
  /** Hosted `https://api.replicate.com/v1`, the emulator's, or a proxy's. */
  baseUrl: string;
  token: string;
  /** True when scenes go to hosted Replicate (a token was given), not to the emulator. */
  hosted: boolean;
  /** Replaced in every error message and log line, in case an upstream echoes it. */
  redact(text: string): string;
}

const HOSTED_REPLICATE_URL = 'https://api.replicate.com/v1';

/**
 * Hosted Replicate when `REPLICATE_API_TOKEN` is set (or `REPLICATE_BASE_URL` with it); otherwise
 * the emulator at `REPLICATE_BASE_URL` with its token.
 */
export function replicateConnection(options: {
  token?: string;
  baseUrl?: string;
  emulatorToken: string;
}): ReplicateConnection {
  const token = options.token ?? options.emulatorToken;
  const baseUrl = options.baseUrl ?? (options.token ? HOSTED_REPLICATE_URL : undefined);
  if (!baseUrl) {
    throw new Error('REPLICATE_BASE_URL must point at the emulator when REPLICATE_API_TOKEN is not set');
  }
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    token,
    hosted: options.token !== undefined,
    redact: (text) => (token ? text.split(token).join('[redacted]') : text),
  };
}

/** A `replicate` client whose own retries are neutralised and whose outputs stay plain URLs. */
export function createReplicateClient(connection: ReplicateConnection): Replicate {
  return new Replicate({
    auth: connection.token,
    baseUrl: connection.baseUrl,
    useFileOutput: false,
    fetch: singleShotFetch(),
  });
}
