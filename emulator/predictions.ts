import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../common/paths';
import { billUsd } from './billing';
import { canonicalJson } from './canonical-json';
import { imageEmbedding, textEmbedding } from './embeddings';
import { drawLatencyMs, type ModelKnobs } from './knobs';
import type { EmulatedModel } from './models';
import { renderAnimation, renderClip, renderImage } from './render/clip';
import type { EmulatorStats } from './stats';

export type PredictionStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';
const TERMINAL: ReadonlySet<PredictionStatus> = new Set(['succeeded', 'failed', 'canceled', 'aborted']);

export interface EmulatedPrediction {
  id: string;
  model: EmulatedModel;
  version: string;
  /** The input as the client sent it (echoed back, as the hosted API does). */
  input: Record<string, unknown>;
  /** With defaults filled in: what the model runs on. */
  resolvedInput: Record<string, unknown>;
  fingerprint: string;
  status: PredictionStatus;
  output: unknown;
  error: string | null;
  logs: string;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  deadline: Date | null;
  webhook: string | null;
  webhookEventsFilter: string[] | null;
  dataRemoved: boolean;
  /** Planned at create from the knobs. */
  plan: { processingMs: number; fail: boolean; hang: boolean; outputSec: number; driftImage: string | null };
  /** Held in `processing` until released (the `hold` knob). */
  held: boolean;
  costUsd: number;
  outputFile: string | null;
  timers: NodeJS.Timeout[];
  /** Resolves when the prediction reaches a terminal state (sync `Prefer: wait`). */
  settled: Promise<void>;
  settle: () => void;
}

/** What the lifecycle needs from the emulator around it. */
export interface LifecycleHost {
  knobs(modelId: string): ModelKnobs;
  random(): number;
  stats(): EmulatorStats;
  dataDir: string;
  origin(): string;
  baseUrl(): string;
  outputTtlMs: number;
  /** Hosted Replicate's behaviour where it differs from the emulator's conveniences (`EmulatorOptions.dressRehearsal`). */
  dressRehearsal: boolean;
  /** Bytes of an image URI: an emulator file URL, a data: URI or an http(s) URL. */
  /** `model`: the model fetching it, which may do so without a token. */
  resolveImage(uri: string, model?: string): Promise<Buffer>;
  /** A small clip rendered once, for the no-render mode. */
  placeholderClip(seconds: number): Promise<string>;
  notify(prediction: EmulatedPrediction, event: 'start' | 'output' | 'logs' | 'completed'): void;
  closed(): boolean;
}

const newId = (): string => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(26);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
};

/** Takes one hit from a `...Next` counter, else draws against a rate. */
function hit(
  knobs: ModelKnobs,
  next: 'failNext' | 'hangNext' | 'dropAfterCreateNext' | 'serverErrorNext',
  rate: number,
  random: () => number
): boolean {
  if (knobs[next] > 0) {
    knobs[next]--;
    return true;
  }
  return rate > 0 && random() < rate;
}

/** Another person's picture, drawn by the `drift` knob unless it names its own. */
const DRIFT_IMAGE = path.join(projectRoot, 'examples', 'references', 'noor.png');

/** Takes one drift from the `drift` knob when the prompt is the chosen scene's: the image to draw instead, or null. */
function drawsDrift(knobs: ModelKnobs, prompt: string): string | null {
  const drift = knobs.drift;
  if (!drift || drift.attempts <= 0 || !prompt.includes(drift.promptIncludes)) return null;
  knobs.drift = { ...drift, attempts: drift.attempts - 1 };
  return drift.image ?? DRIFT_IMAGE;
}

export function drawFault(host: LifecycleHost, modelId: string, kind: 'dropAfterCreate' | 'serverError'): boolean {
  const knobs = host.knobs(modelId);
  return kind === 'dropAfterCreate'
    ? hit(knobs, 'dropAfterCreateNext', knobs.dropAfterCreateRate, () => host.random())
    : hit(knobs, 'serverErrorNext', knobs.serverErrorRate, () => host.random());
}

/** The running predictions: creation, the state machine, cancellation, billing and expiry. */
export class PredictionStore {
  readonly byId = new Map<string, EmulatedPrediction>();
  private concurrent = 0;
  private readonly concurrentByModel = new Map<string, number>();

  constructor(private readonly host: LifecycleHost) {}

  list(): EmulatedPrediction[] {
    return [...this.byId.values()].sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1)
    );
  }

  create(
    model: EmulatedModel,
    input: Record<string, unknown>,
    resolvedInput: Record<string, unknown>,
    options: { webhook?: string; webhookEventsFilter?: string[]; cancelAfterMs?: number }
  ): EmulatedPrediction {
    const { host } = this;
    const knobs = host.knobs(model.id);
    const random = (): number => host.random();
    const outputSec = model.video ? model.video(resolvedInput).durationSec : 0;
    let settle = (): void => undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const now = new Date();
    const prediction: EmulatedPrediction = {
      id: newId(),
      model,
      version: model.version,
      input,
      resolvedInput,
      fingerprint: crypto
        .createHash('sha256')
        .update(`${model.id}\u0000${canonicalJson(input)}`)
        .digest('hex'),
      status: 'starting',
      output: null,
      error: null,
      logs: '',
      createdAt: now,
      startedAt: null,
      completedAt: null,
      deadline: options.cancelAfterMs !== undefined ? new Date(now.getTime() + options.cancelAfterMs) : null,
      webhook: options.webhook ?? null,
      webhookEventsFilter: options.webhookEventsFilter ?? null,
      dataRemoved: false,
      plan: {
        processingMs: drawLatencyMs(knobs, outputSec, random),
        fail:
          (knobs.failWhenPromptIncludes !== undefined &&
            String(resolvedInput.prompt ?? '').includes(knobs.failWhenPromptIncludes)) ||
          hit(knobs, 'failNext', knobs.failureRate, random),
        hang: hit(knobs, 'hangNext', knobs.hangRate, random),
        outputSec,
        driftImage: drawsDrift(knobs, String(resolvedInput.prompt ?? '')),
      },
      held: false,
      costUsd: 0,
      outputFile: null,
      timers: [],
      settled,
      settle,
    };
    this.byId.set(prediction.id, prediction);
    this.track(prediction, +1);
    const stats = host.stats();
    stats.predictionsCreated++;
    const entry = (stats.createsByFingerprint[prediction.fingerprint] ??= { model: model.id, count: 0, ids: [] });
    entry.count++;
    entry.ids.push(prediction.id);

    prediction.timers.push(setTimeout(() => this.begin(prediction), knobs.startingMs));
    if (prediction.deadline) {
      prediction.timers.push(setTimeout(() => this.expireDeadline(prediction), options.cancelAfterMs));
    }
    return prediction;
  }

  private track(prediction: EmulatedPrediction, delta: 1 | -1): void {
    const stats = this.host.stats();
    this.concurrent += delta;
    const perModel = (this.concurrentByModel.get(prediction.model.id) ?? 0) + delta;
    this.concurrentByModel.set(prediction.model.id, perModel);
    stats.currentConcurrent = this.concurrent;
    stats.peakConcurrent = Math.max(stats.peakConcurrent, this.concurrent);
    stats.peakConcurrentByModel[prediction.model.id] = Math.max(
      stats.peakConcurrentByModel[prediction.model.id] ?? 0,
      perModel
    );
  }

  private begin(prediction: EmulatedPrediction): void {
    if (prediction.status !== 'starting') return;
    prediction.status = 'processing';
    prediction.startedAt = new Date();
    prediction.logs += `Starting ${prediction.model.id}\n`;
    this.host.notify(prediction, 'start');
    if (prediction.plan.hang) {
      prediction.logs += 'Waiting for a GPU...\n';
      return;
    }
    if (this.host.knobs(prediction.model.id).hold) {
      prediction.held = true;
      return;
    }
    this.run(prediction, prediction.plan.processingMs);
  }

  /** Produces the output, then finishes after `afterMs` (or when the output is ready, if later). */
  private run(prediction: EmulatedPrediction, afterMs: number): void {
    const work = this.produce(prediction);
    work.catch(() => undefined);
    prediction.timers.push(
      setTimeout(() => {
        void work.then(
          (output) => this.finish(prediction, prediction.plan.fail ? 'failed' : 'succeeded', output),
          (err: Error) => this.finish(prediction, 'failed', null, err.message)
        );
      }, afterMs)
    );
  }

  /** Lets held predictions finish now: these ids, or the oldest `count`, or all. Returns their ids. */
  release(which: number | readonly string[] = Number.POSITIVE_INFINITY): string[] {
    const all = this.list()
      .filter((p) => p.held && p.status === 'processing')
      .reverse();
    const held = typeof which === 'number' ? all.slice(0, which) : all.filter((p) => which.includes(p.id));
    for (const prediction of held) {
      prediction.held = false;
      this.run(prediction, 0);
    }
    return held.map((p) => p.id);
  }

  /** Ids of the predictions held in `processing`, oldest first. */
  heldIds(): string[] {
    return this.list()
      .filter((p) => p.held && p.status === 'processing')
      .reverse()
      .map((p) => p.id);
  }

  /** Makes the model's output (a clip, an image, or embeddings) while the prediction is processing. */
  private async produce(prediction: EmulatedPrediction): Promise<unknown> {
    const { host } = this;
    const { model } = prediction;
    // a rule the model states only in prose fails the run, as the model itself would fail it
    const problem = model.problem?.(prediction.resolvedInput);
    if (problem) throw new Error(problem);
    if (model.kind === 'embedding') {
      const lines = String(prediction.resolvedInput.inputs)
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      return Promise.all(
        lines.map(async (line) => ({
          input: line,
          embedding: /^(https?:|data:)/.test(line)
            ? await imageEmbedding(await host.resolveImage(line, model.id))
            : textEmbedding(line),
        }))
      );
    }
    const drift = prediction.plan.driftImage;
    if (model.kind === 'image') {
      // an image is cheap to draw: rendered in every mode, so a keyframe always shows what it kept
      const spec = model.image!(prediction.resolvedInput);
      const references = await Promise.all(spec.references.map((uri) => host.resolveImage(uri)));
      if (drift && references.length > 0) references[0] = await fs.readFile(drift);
      return this.delivered(
        prediction,
        'output.png',
        (file) => renderImage(spec, references, file),
        `an image at ${spec.aspectRatio}`
      );
    }
    const spec = model.video!(prediction.resolvedInput);
    const render = async (file: string): Promise<void> => {
      if (spec.firstFrame !== undefined) {
        const first = await host.resolveImage(spec.firstFrame);
        if (host.knobs(model.id).render === 'none')
          return fs.copyFile(await host.placeholderClip(spec.durationSec), file);
        return renderAnimation(spec, first, file, drift ? await fs.readFile(drift) : undefined);
      }
      if (host.knobs(model.id).render === 'none') {
        // a hosted model reads every image it is given, rendered or not: an expired upload fails the run
        if (host.dressRehearsal) await Promise.all(spec.references.map((uri) => host.resolveImage(uri)));
        return fs.copyFile(await host.placeholderClip(spec.durationSec), file);
      }
      const references = await Promise.all(spec.references.map((uri) => host.resolveImage(uri)));
      if (drift && references.length > 0) references[0] = await fs.readFile(drift);
      await renderClip(spec, references, file);
    };
    return this.delivered(prediction, 'output.mp4', render, `${spec.durationSec}s at ${spec.aspectRatio}`);
  }

  /** Writes the output file with `render`, and answers its delivery URL (in a list when the model returns one). */
  private async delivered(
    prediction: EmulatedPrediction,
    name: string,
    render: (file: string) => Promise<void>,
    what: string
  ): Promise<unknown> {
    const file = path.join(this.host.dataDir, 'outputs', prediction.id, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await render(file);
    prediction.outputFile = file;
    prediction.logs += `Rendered ${what}\n`;
    const url = `${this.host.origin()}/delivery/${prediction.id}/${name}`;
    return prediction.model.outputList ? [url] : url;
  }

  private finish(prediction: EmulatedPrediction, status: PredictionStatus, output: unknown, error?: string): void {
    if (TERMINAL.has(prediction.status) || this.host.closed()) return;
    const knobs = this.host.knobs(prediction.model.id);
    prediction.status = status;
    if (status === 'succeeded') prediction.output = output;
    if (status === 'failed') prediction.error = error ?? knobs.failureError;
    this.complete(prediction);
  }

  private complete(prediction: EmulatedPrediction): void {
    const { host } = this;
    const stats = host.stats();
    prediction.completedAt = new Date();
    for (const timer of prediction.timers) clearTimeout(timer);
    prediction.timers = [];
    this.track(prediction, -1);
    const knobs = host.knobs(prediction.model.id);
    const predictSec = prediction.startedAt
      ? (prediction.completedAt.getTime() - prediction.startedAt.getTime()) / 1000
      : 0;
    // the dress rehearsal bills what the fixtures say, whatever a test set
    const price =
      (host.dressRehearsal ? undefined : knobs.price) ??
      prediction.model.priceFor?.(prediction.resolvedInput) ??
      prediction.model.price;
    const bill = billUsd(
      price,
      {
        status: prediction.status as 'succeeded' | 'failed' | 'canceled' | 'aborted',
        started: prediction.startedAt !== null,
        outputSec: prediction.plan.outputSec,
        predictSec,
      },
      knobs.billFailed
    );
    prediction.costUsd = bill.usd;
    stats.costUsd += bill.usd;
    stats.billedSeconds += bill.seconds;
    stats.byStatus[prediction.status] = (stats.byStatus[prediction.status] ?? 0) + 1;
    prediction.logs += `Finished: ${prediction.status}\n`;
    prediction.settle();
    host.notify(prediction, 'completed');
    // hosted Replicate removes an API prediction's input with its output (docs: data retention)
    if (prediction.outputFile || host.dressRehearsal) {
      const expiry = setTimeout(() => void this.removeData(prediction), host.outputTtlMs);
      expiry.unref();
      prediction.timers.push(expiry);
    }
  }

  private async removeData(prediction: EmulatedPrediction): Promise<void> {
    prediction.output = null;
    prediction.dataRemoved = true;
    if (this.host.dressRehearsal) {
      // what a read shows of a removed input is not documented: an empty object is the reading taken (inferred)
      prediction.input = {};
      prediction.logs = '';
    }
    if (prediction.outputFile) await fs.rm(path.dirname(prediction.outputFile), { recursive: true, force: true });
    prediction.outputFile = null;
  }

  private expireDeadline(prediction: EmulatedPrediction): void {
    if (prediction.status === 'starting') {
      prediction.status = 'aborted';
      this.complete(prediction);
    } else if (prediction.status === 'processing') {
      prediction.status = 'canceled';
      this.complete(prediction);
    }
  }

  /** Cancels a prediction unless it already ended; returns whether this changed its state. */
  cancel(prediction: EmulatedPrediction): boolean {
    if (TERMINAL.has(prediction.status)) return false;
    prediction.status = 'canceled';
    this.host.stats().cancellations++;
    this.complete(prediction);
    return true;
  }

  /** Stops every timer (emulator shutdown). */
  stopAll(): void {
    for (const prediction of this.byId.values()) {
      for (const timer of prediction.timers) clearTimeout(timer);
      prediction.timers = [];
      prediction.settle();
    }
  }

  clear(): void {
    this.stopAll();
    this.byId.clear();
    this.concurrent = 0;
    this.concurrentByModel.clear();
  }

  toJson(prediction: EmulatedPrediction): Record<string, unknown> {
    const baseUrl = this.host.baseUrl();
    const terminal = TERMINAL.has(prediction.status);
    const predictTime =
      prediction.startedAt && prediction.completedAt
        ? (prediction.completedAt.getTime() - prediction.startedAt.getTime()) / 1000
        : undefined;
    return {
      id: prediction.id,
      model: prediction.model.id,
      version: prediction.version,
      input: prediction.input,
      output: prediction.output,
      error: prediction.error,
      logs: prediction.logs,
      status: prediction.status,
      source: 'api',
      data_removed: prediction.dataRemoved,
      created_at: prediction.createdAt.toISOString(),
      started_at: prediction.startedAt?.toISOString() ?? null,
      completed_at: prediction.completedAt?.toISOString() ?? null,
      ...(prediction.deadline ? { deadline: prediction.deadline.toISOString() } : {}),
      // the documented prediction has no webhook field (Replicate's openapi.json); only the emulator's convenience shows it
      ...(prediction.webhook && !this.host.dressRehearsal
        ? {
            webhook: prediction.webhook,
            webhook_events_filter: prediction.webhookEventsFilter ?? ['output', 'completed'],
          }
        : {}),
      metrics: terminal
        ? {
            ...(predictTime !== undefined ? { predict_time: predictTime } : {}),
            total_time: ((prediction.completedAt?.getTime() ?? Date.now()) - prediction.createdAt.getTime()) / 1000,
          }
        : {},
      urls: {
        get: `${baseUrl}/predictions/${prediction.id}`,
        cancel: `${baseUrl}/predictions/${prediction.id}/cancel`,
        web: `https://replicate.com/p/${prediction.id}`,
      },
    };
  }
}
