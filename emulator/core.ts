import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { modelKnobsSchema, type ModelKnobs, type ModelKnobsInput } from './knobs';
import { emulatedModels } from './models';
import { FileStore } from './files';
import { PredictionStore, type EmulatedPrediction, type LifecycleHost } from './predictions';
import { seededRandom } from './random';
import { renderPlaceholder } from './render/clip';
import { emptyStats, type EmulatorStats } from './stats';
import { deliverWebhook } from './webhooks';

export interface CoreOptions {
  /** The API token requests must carry; changes when a test revokes it. */
  token: string;
  dataDir: string;
  outputTtlMs: number;
  seed: number;
  webhookSecret: string;
  webhookRetryBaseMs: number;
  models: Record<string, ModelKnobsInput>;
  /** Hosted Replicate's behaviour where it differs from the emulator's conveniences (`EmulatorOptions.dressRehearsal`). */
  dressRehearsal: boolean;
  fileTtlMs: number;
}

/**
 * The hosted models that are community models: they run their own code, which downloads each
 * image URL with no token (clip-features' `requests.get`, catalogue/schemas), so a Files API URL
 * gives them a page that needs one. The official video models take file inputs, which Replicate
 * itself resolves for them.
 */
const COMMUNITY_MODELS: ReadonlySet<string> = new Set(['andreasjansson/clip-features']);

/** The emulator's state behind its HTTP surface: knobs, predictions, files, stats and webhooks. */
export class EmulatorCore {
  stats: EmulatorStats = emptyStats();
  readonly files: FileStore;
  readonly store: PredictionStore;
  readonly host: LifecycleHost;
  readonly random: () => number;
  origin = '';
  /** Told of every new prediction (tests time faults from it). */
  readonly createdListeners = new Set<(predictionId: string) => void>();
  private readonly modelKnobs = new Map<string, ModelKnobs>();
  private readonly placeholders = new Map<number, Promise<string>>();
  private isClosed = false;

  constructor(readonly options: CoreOptions) {
    this.random = seededRandom(options.seed);
    this.files = new FileStore(options.fileTtlMs);
    for (const model of emulatedModels) {
      const rehearsed = options.dressRehearsal && COMMUNITY_MODELS.has(model.id) ? { fetchesWithoutToken: true } : {};
      this.modelKnobs.set(model.id, modelKnobsSchema.parse({ ...rehearsed, ...options.models[model.id] }));
    }
    this.host = {
      knobs: (id) => this.knobs(id),
      random: () => this.random(),
      stats: () => this.stats,
      dataDir: options.dataDir,
      origin: () => this.origin,
      baseUrl: () => this.baseUrl,
      outputTtlMs: options.outputTtlMs,
      dressRehearsal: options.dressRehearsal,
      resolveImage: (uri, model) => this.resolveImage(uri, model),
      placeholderClip: (seconds) => this.placeholderClip(seconds),
      notify: (prediction, event) => this.notify(prediction, event),
      closed: () => this.isClosed,
    };
    this.store = new PredictionStore(this.host);
  }

  get token(): string {
    return this.options.token;
  }
  /** Revokes the current token: requests must now carry `token` (a rotated or revoked key). */
  set token(token: string) {
    this.options.token = token;
  }
  get baseUrl(): string {
    return `${this.origin}/v1`;
  }
  get webhookSecret(): string {
    return this.options.webhookSecret;
  }

  /** The counters, with the per-prediction list read from the store now. */
  snapshot(): EmulatorStats {
    return {
      ...this.stats,
      predictions: this.store.list().map((p) => ({
        id: p.id,
        model: p.model.id,
        fingerprint: p.fingerprint,
        prompt: String(p.input.prompt ?? ''),
        status: p.status,
        createdAt: p.createdAt.toISOString(),
        startedAt: p.startedAt?.toISOString() ?? null,
        completedAt: p.completedAt?.toISOString() ?? null,
        costUsd: p.costUsd,
      })),
    };
  }

  knobs(modelId: string): ModelKnobs {
    const knobs = this.modelKnobs.get(modelId);
    if (!knobs) throw new Error(`the emulator has no model ${modelId}`);
    return knobs;
  }

  configure(modelId: string, patch: Partial<ModelKnobs>): void {
    this.modelKnobs.set(modelId, { ...this.knobs(modelId), ...patch });
  }

  logRequest(entry: EmulatorStats['requestLog'][number]): void {
    this.stats.requestLog.push(entry);
    if (this.stats.requestLog.length > 2000) this.stats.requestLog.splice(0, this.stats.requestLog.length - 2000);
  }

  /**
   * Clears predictions, files and counters (and the one-shot fault counters, `hold` and `insufficientCredit`); knobs otherwise
   * stay. Requests to unknown routes are kept for the emulator's whole life, so a check at the
   * end of a test file sees every one, whatever was reset in between.
   */
  reset(): void {
    this.store.clear();
    this.files.clear();
    const unknownRoutes = this.stats.unknownRoutes;
    this.stats = { ...emptyStats(), unknownRoutes };
    for (const [id, knobs] of this.modelKnobs) {
      this.modelKnobs.set(id, {
        ...knobs,
        failNext: 0,
        hangNext: 0,
        dropAfterCreateNext: 0,
        serverErrorNext: 0,
        rateLimitNext: 0,
        hold: false,
        insufficientCredit: false,
        webhookLossNext: 0,
        drift: undefined,
      });
    }
  }

  /**
   * Bytes of an image given to a model: an emulator file URL, a data: URI or an http(s) URL. A
   * model that fetches without a token (`fetchesWithoutToken`) gets what hosted Replicate gives
   * it for a Files API URL: no image.
   */
  async resolveImage(uri: string, model?: string): Promise<Buffer> {
    const own = `${this.baseUrl}/files/`;
    if (uri.startsWith(own) && model && this.knobs(model).fetchesWithoutToken) {
      throw new Error(`cannot identify image file ${uri}: it answered 401 without a token`);
    }
    if (uri.startsWith(own)) {
      const file = this.files.get(uri.slice(own.length));
      if (!file) throw new Error(`reference ${uri} does not exist (expired or deleted file)`);
      return file.bytes;
    }
    const data = /^data:[^;,]*(;base64)?,(.*)$/s.exec(uri);
    if (data) return data[1] ? Buffer.from(data[2]!, 'base64') : Buffer.from(decodeURIComponent(data[2]!));
    const response = await fetch(uri, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`reference ${uri} answered HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  private placeholderClip(seconds: number): Promise<string> {
    const key = Math.max(1, Math.round(seconds));
    let clip = this.placeholders.get(key);
    if (!clip) {
      const file = path.join(this.options.dataDir, 'placeholders', `${key}s.mp4`);
      clip = fs
        .mkdir(path.dirname(file), { recursive: true })
        .then(() => renderPlaceholder(file, key))
        .then(() => file);
      this.placeholders.set(key, clip);
    }
    return clip;
  }

  private notify(prediction: EmulatedPrediction, event: 'start' | 'output' | 'logs' | 'completed'): void {
    if (!prediction.webhook) return;
    const filter = prediction.webhookEventsFilter ?? ['output', 'completed'];
    if (!filter.includes(event)) return;
    const terminal = event === 'completed';
    const knobs = this.knobs(prediction.model.id);
    if (terminal && knobs.webhookLossNext > 0) {
      knobs.webhookLossNext--;
      return;
    }
    if (terminal && knobs.webhookLossRate > 0 && this.random() < knobs.webhookLossRate) return;
    const copies = terminal && knobs.duplicateWebhooks ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.stats.webhookDeliveries++;
      void deliverWebhook(
        prediction.webhook,
        this.store.toJson(prediction),
        terminal,
        { secret: this.webhookSecret, retryBaseMs: this.options.webhookRetryBaseMs, maxTries: 5 },
        () => this.isClosed
      );
    }
  }

  close(): void {
    this.isClosed = true;
    this.store.stopAll();
  }
}

export async function defaultDataDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'scenegate-emulator-'));
}
