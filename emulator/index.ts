import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { EMULATOR_TOKEN } from '../common/settings';
import { emulatorApp } from './app';
import { defaultDataDir, EmulatorCore } from './core';
import type { ModelKnobs, ModelKnobsInput } from './knobs';
import type { EmulatorStats } from './stats';
import { newWebhookSecret } from './webhooks';

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
  /**
   * Behave as hosted Replicate does where it differs from the emulator's conveniences (docs/emulator.md,
   * "Dress rehearsal"): community models fetch image URLs without a token, list items and reads carry only
   * the documented prediction fields, inputs are removed with the outputs, uploads vanish at their
   * `expires_at`, and prices are the fixtures' whatever the `price` knob says.
   */
  dressRehearsal?: boolean;
  /** How long a Files API upload lives (`expires_at`): 24 hours by default, as Replicate's JS README says. */
  fileTtlMs?: number;
}

/** A running emulator: a Replicate-compatible HTTP server on loopback. */
export interface Emulator {
  /** e.g. `http://127.0.0.1:PORT/v1`: what the `replicate` client takes as `baseUrl`. */
  baseUrl: string;
  origin: string;
  token: string;
  webhookSecret: string;
  /** True in the dress-rehearsal mode (`EmulatorOptions.dressRehearsal`). */
  dressRehearsal: boolean;
  configure(modelId: string, knobs: Partial<ModelKnobs>): void;
  stats(): EmulatorStats;
  /** Lets held predictions (the `hold` knob) finish: these ids, or the oldest `count`, or all. Returns their ids. */
  release(which?: number | readonly string[]): string[];
  /** Ids of the predictions held in `processing`, oldest first. */
  held(): string[];
  /** Calls `listener` with each new prediction's id as soon as it is created; returns a function that stops it. */
  onCreated(listener: (predictionId: string) => void): () => void;
  /** Replaces the accepted API token: the old one now gets 401, as a revoked key does. */
  revokeToken(newToken: string): void;
  reset(): void;
  close(): Promise<void>;
}

/** Starts the emulator in this process. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const core = new EmulatorCore({
    token: options.token ?? EMULATOR_TOKEN,
    dataDir: options.dataDir ?? (await defaultDataDir()),
    outputTtlMs: options.outputTtlMs ?? 3_600_000,
    seed: options.seed ?? 1,
    webhookSecret: options.webhookSecret ?? newWebhookSecret(),
    webhookRetryBaseMs: options.webhookRetryBaseMs ?? 100,
    models: options.models ?? {},
    dressRehearsal: options.dressRehearsal ?? false,
    fileTtlMs: options.fileTtlMs ?? 24 * 3_600_000,
  });
  const app = emulatorApp(core);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: options.host ?? '127.0.0.1', port: options.port ?? 0 }, () =>
      resolve(s as Server)
    );
    s.once('error', reject);
  });
  // keep-alive sockets would hold close() open until their idle timeout
  server.keepAliveTimeout = 1000;
  const address = server.address() as AddressInfo;
  core.origin = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  return {
    baseUrl: core.baseUrl,
    origin: core.origin,
    get token() {
      return core.token;
    },
    webhookSecret: core.webhookSecret,
    dressRehearsal: core.options.dressRehearsal,
    configure: (modelId, knobs) => core.configure(modelId, knobs),
    stats: () => core.snapshot(),
    release: (which) => core.store.release(which),
    held: () => core.store.heldIds(),
    onCreated: (listener) => {
      core.createdListeners.add(listener);
      return () => core.createdListeners.delete(listener);
    },
    revokeToken: (newToken) => {
      core.token = newToken;
    },
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
