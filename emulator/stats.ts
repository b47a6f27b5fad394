/** What the emulator counts, for tests and benchmarks (GET /_emulator/stats). */
export interface EmulatorStats {
  predictionsCreated: number;
  /** sha256 of model + canonical input → how often it was created, and as which predictions. */
  createsByFingerprint: Record<string, { model: string; count: number; ids: string[] }>;
  /** Cancel requests that stopped a running prediction. */
  cancellations: number;
  byStatus: Record<string, number>;
  peakConcurrent: number;
  currentConcurrent: number;
  peakConcurrentByModel: Record<string, number>;
  billedSeconds: number;
  costUsd: number;
  requests: number;
  rateLimited: number;
  unauthorized: number;
  unknownRoutes: string[];
  webhookDeliveries: number;
  predictions: {
    id: string;
    model: string;
    fingerprint: string;
    /** The input's `prompt`, to tell scenes apart. */
    prompt: string;
    status: string;
    createdAt: string;
    startedAt: string | null;
    completedAt: string | null;
    costUsd: number;
  }[];
  /** The last 2000 requests: when (ms since epoch), what, and the status answered. */
  requestLog: { at: number; method: string; path: string; status: number }[];
}

export function emptyStats(): EmulatorStats {
  return {
    predictionsCreated: 0,
    createsByFingerprint: {},
    cancellations: 0,
    byStatus: {},
    peakConcurrent: 0,
    currentConcurrent: 0,
    peakConcurrentByModel: {},
    billedSeconds: 0,
    costUsd: 0,
    requests: 0,
    rateLimited: 0,
    unauthorized: 0,
    unknownRoutes: [],
    webhookDeliveries: 0,
    predictions: [],
    requestLog: [],
  };
}
