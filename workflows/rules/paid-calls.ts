import { estimateCostUsd } from '../../schema/catalogue';
import { isFinalStatus, predictionCostUsd, type PredictionSnapshot } from '../../schema/prediction';
import type { BudgetClaim } from './budget-admission';
import type { LedgerKind } from './budget-ledger';
import type { CallSpec } from './call-specs';
import { noInstruments, type BookedOutcome, type Instruments } from './instruments';

/**
 * What a paid call is within its scene's attempt. An attempt is the sequence of its calls: its
 * keyframe (`pipeline: keyframe`), its clip, then (with the CLIP scorer) tries at scoring it. A
 * new step is one more entry here, booked under the ledger kind it names.
 */
export const callSteps = {
  keyframe: { ledger: 'scene' },
  clip: { ledger: 'scene' },
  score: { ledger: 'score' },
} as const satisfies Record<string, { ledger: LedgerKind }>;
export type CallStep = keyof typeof callSteps;

/** Where in its generation a call sits. */
export interface CallPlace {
  sceneId: string;
  /** The scene attempt it belongs to, from 1. */
  attempt: number;
  step: CallStep;
  /** The try at this step within the attempt, from 1 (only scoring is tried again). */
  try: number;
}

/** One paid prediction the generation makes. */
export interface PaidCall extends CallPlace, CallSpec {
  /** Unique in the generation; also its ledger key and, through its webhook, how its end finds it. */
  key: string;
  kind: LedgerKind;
}

/** Where a paid call is, from its create until its cost is booked. */
export interface CallState {
  call: PaidCall;
  predictionId: string | null;
  /** Replicate will post its end to scenegate's webhook receiver. */
  webhook: boolean;
  /** The prediction in its final state, once known from Replicate's own answer (a read, a cancel, the create). */
  final: PredictionSnapshot | null;
  /** An end the webhook receiver reported and no read has confirmed yet. */
  reported: PredictionSnapshot | null;
  /**
   * Ends reported before the create's answer named the prediction (a model done in a moment
   * ends before its create returns), at most `EARLY_REPORTS_MAX`: one of them counts once it does.
   */
  early: PredictionSnapshot[];
  /** What it cost, once booked. */
  costUsd: number | null;
}

/** What an attempt's calls add up to: its newest prediction and what it cost, once booked. */
export interface AttemptCalls {
  predictionId: string | null;
  costUsd: number | null;
  /** The prediction of its keyframe (`pipeline: keyframe`), once created. */
  keyframePredictionId?: string;
}

/** Early reports kept per call: a sender of forged ones cannot grow the workflow's state. */
const EARLY_REPORTS_MAX = 3;

/**
 * The key of the call at `place`: `s2#1` for attempt 1's clip of scene s2, `s2#1/keyframe#1` for
 * its keyframe, `s1#2/score#1` for the first try at scoring attempt 2 of s1. Every record of a call (its ledger reservation, its
 * create's reconciliation, its webhook URL) uses this one key.
 */
function keyOf(place: CallPlace): string {
  const attempt = `${place.sceneId}#${place.attempt}`;
  return place.step === 'clip' ? attempt : `${attempt}/${place.step}#${place.try}`;
}

function outcomeOf(state: CallState): BookedOutcome {
  if (!state.predictionId) return 'not_created';
  if (!state.final) return 'unseen';
  return state.final.status === 'succeeded' ? 'succeeded' : state.final.status === 'canceled' ? 'canceled' : 'failed';
}

/**
 * Every paid prediction of a generation, the one owner of each call's key, prediction id and
 * cost. A call is claimed (its key and estimate, for the budget), opened once its money is
 * reserved, created (its prediction id recorded as soon as the create returns, so it is in
 * history before anything waits on it), observed (its end is what Replicate answers a read or a
 * cancel; a webhook's report of an end only prompts a read, since a signal's body is whatever its
 * sender wrote; a second end, and any report of a prediction this generation did not create, are
 * ignored) and booked at what the prediction itself says it cost.
 */
export class PaidCalls {
  private readonly calls = new Map<string, CallState>();
  /** The keys of each scene attempt's calls, in the order they opened. */
  private readonly attempts = new Map<string, string[]>();

  constructor(
    /** Books a call's cost against the reservation held under its key. */
    private readonly settle: (key: string, costUsd: number) => void,
    private readonly instruments: Instruments = noInstruments
  ) {}

  /** The money a call at `place` asks for before it opens. */
  claim(place: CallPlace, estimateUsd: number): BudgetClaim {
    return { key: keyOf(place), sceneId: place.sceneId, kind: callSteps[place.step].ledger, estimateUsd };
  }

  /** A paid call starts, its money reserved under its claim's key. */
  open(place: CallPlace, spec: CallSpec): PaidCall {
    const key = keyOf(place);
    if (this.calls.has(key)) throw new Error(`paid call ${key} is already open`);
    const call: PaidCall = { ...place, ...spec, key, kind: callSteps[place.step].ledger };
    this.calls.set(key, {
      call,
      predictionId: null,
      webhook: false,
      final: null,
      reported: null,
      early: [],
      costUsd: null,
    });
    const attempt = `${place.sceneId}#${place.attempt}`;
    this.attempts.set(attempt, [...(this.attempts.get(attempt) ?? []), key]);
    return call;
  }

  get(key: string): Readonly<CallState> | undefined {
    return this.calls.get(key);
  }

  /** The create returned (or a lost create was found): the prediction exists and is this call's. */
  created(key: string, prediction: PredictionSnapshot, webhook: boolean): void {
    const state = this.require(key);
    const first = state.predictionId === null;
    state.predictionId = prediction.id;
    state.webhook = webhook;
    const { call } = state;
    if (first) this.instruments.predictionCreated(call.model, call.kind, estimateCostUsd(call.pricing, call.outputSec));
    this.observe(key, prediction);
  }

  /**
   * Replicate's answer about the prediction: a read's, a cancel's, the create's. Only a final
   * state of this call's own prediction counts, and only the first one. Returns whether it counted.
   */
  observe(key: string, prediction: PredictionSnapshot): boolean {
    const state = this.calls.get(key);
    if (!state || state.predictionId !== prediction.id || state.final || !isFinalStatus(prediction.status))
      return false;
    state.final = prediction;
    state.reported = null;
    return true;
  }

  /**
   * A webhook's report that the prediction ended: kept until a read confirms or denies it. Only a
   * final state of this call's own prediction, not yet known to have ended, counts. Returns
   * whether it counted.
   */
  report(key: string, prediction: PredictionSnapshot): boolean {
    const state = this.calls.get(key);
    if (state?.predictionId === null && isFinalStatus(prediction.status) && state.early.length < EARLY_REPORTS_MAX) {
      state.early.push(prediction);
      return false;
    }
    if (!state || state.predictionId !== prediction.id || state.final || state.reported) return false;
    if (!isFinalStatus(prediction.status)) return false;
    state.reported = prediction;
    return true;
  }

  /** Whether an end was reported before the call's prediction was known (see `takeEarlyReport`). */
  hasEarlyReport(key: string): boolean {
    return (this.calls.get(key)?.early.length ?? 0) > 0;
  }

  /**
   * Once the create named the prediction: an end reported before it, if it was this prediction's,
   * becomes the reported end, to be confirmed by a read now rather than at the model's typical
   * time. Returns whether it did.
   */
  takeEarlyReport(key: string): boolean {
    const state = this.require(key);
    const early = state.early.find((p) => p.id === state.predictionId);
    state.early = [];
    return early !== undefined && this.report(key, early);
  }

  /** The end a webhook reported and no read has answered yet. */
  reported(key: string): PredictionSnapshot | null {
    return this.calls.get(key)?.reported ?? null;
  }

  /** The report is being checked with a read: a later one counts again. Returns it. */
  takeReport(key: string): PredictionSnapshot | null {
    const state = this.require(key);
    const { reported } = state;
    state.reported = null;
    return reported;
  }

  /** The prediction's final state, once known. */
  final(key: string): PredictionSnapshot | null {
    return this.calls.get(key)?.final ?? null;
  }

  /**
   * Books what the call cost: its final prediction's cost; nothing when no prediction was
   * created; its full estimate when one exists but was never seen to end (it may still bill).
   * Returns the cost. Idempotent.
   */
  book(key: string): number {
    const state = this.require(key);
    if (state.costUsd !== null) return state.costUsd;
    const { call, final, predictionId } = state;
    state.costUsd = final
      ? predictionCostUsd(call.pricing, final, call.outputSec)
      : predictionId
        ? estimateCostUsd(call.pricing, call.outputSec)
        : 0;
    this.settle(call.key, state.costUsd);
    this.instruments.callBooked(call.model, call.kind, outcomeOf(state), state.costUsd);
    return state.costUsd;
  }

  /**
   * What a scene attempt's calls that make its clip (not its scoring) add up to: the newest
   * prediction among them, and their cost once all are booked.
   */
  ofAttempt(sceneId: string, attempt: number): AttemptCalls {
    const making = (this.attempts.get(`${sceneId}#${attempt}`) ?? [])
      .map((key) => this.calls.get(key)!)
      .filter((s) => s.call.kind === 'scene');
    const booked = making.every((s) => s.costUsd !== null);
    const keyframe = making.find((s) => s.call.step === 'keyframe')?.predictionId;
    return {
      predictionId: making.findLast((s) => s.predictionId !== null)?.predictionId ?? null,
      costUsd: making.length && booked ? making.reduce((sum, s) => sum + s.costUsd!, 0) : null,
      ...(keyframe ? { keyframePredictionId: keyframe } : {}),
    };
  }

  /** Ids of this generation's predictions, for a create that reconciles never to adopt one of them. */
  knownIds(): string[] {
    return [...this.calls.values()].flatMap((s) => (s.predictionId ? [s.predictionId] : []));
  }

  /** Calls whose prediction exists and has not ended: what a stop must cancel. */
  inFlight(): Readonly<CallState>[] {
    return [...this.calls.values()].filter((s) => s.predictionId !== null && s.final === null);
  }

  private require(key: string): CallState {
    const state = this.calls.get(key);
    if (!state) throw new Error(`no paid call ${key}`);
    return state;
  }
}
