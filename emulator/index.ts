import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultDataDir, EmulatorCore } from './core';
import type { ModelKnobs, ModelKnobsInput } from './knobs';
import { createHandler } from './server';
import type { EmulatorStats } from './stats';
import { newWebhookSecret } from './webhooks';

/** The token the emulator accepts unless told otherwise; scenegate uses it when REPLICATE_API_TOKEN is unset. */
export const EMULATOR_DEFAULT_TOKEN = 'r8_scenegate_emulator_token';

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  token?: string;
  /** Where clips go; a fresh temporary folder by default. */
  dataDir?: string;
  /** How long outputs stay downloadable after completion (the hosted API: one hour). */
  outputTtlMs?: number;
  /** Seeds the fault and latency draws, so a run repeats. */
  seed?: number;
  models?: Record<string, ModelKnobsInput>;
  webhookSecret?: string;
  webhookRetryBaseMs?: number;
}

/** A running emulator: a Replicate-compatible HTTP server on loopback. */
export interface Emulator {
  /** e.g. `http://127.0.0.1:PORT/v1`: what the `replicate` client takes as `baseUrl`. */
  baseUrl: string;
  origin: string;
  token: string;
  webhookSecret: string;
  configure(modelId: string, knobs: Partial<ModelKnobs>): void;
  stats(): EmulatorStats;
  reset(): void;
  close(): Promise<void>;
}

/** Starts the emulator in this process. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const core = new EmulatorCore({
    token: options.token ?? EMULATOR_DEFAULT_TOKEN,
    dataDir: options.dataDir ?? (await defaultDataDir()),
    outputTtlMs: options.outputTtlMs ?? 3_600_000,
    seed: options.seed ?? 1,
    webhookSecret: options.webhookSecret ?? newWebhookSecret(),
    webhookRetryBaseMs: options.webhookRetryBaseMs ?? 100,
    models: options.models ?? {},
  });
  const server = http.createServer(createHandler(core));
  // keep-alive sockets would hold close() open until their idle timeout
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  core.origin = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  return {
    baseUrl: core.baseUrl,
    origin: core.origin,
    token: core.token,
    webhookSecret: core.webhookSecret,
    configure: (modelId, knobs) => core.configure(modelId, knobs),
    stats: () => core.snapshot(),
    reset: () => core.reset(),
    close: async () => {
      core.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type { ModelKnobs, ModelKnobsInput } from './knobs';
export type { EmulatorStats } from './stats';
