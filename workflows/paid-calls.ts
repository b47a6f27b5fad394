import { estimateCostUsd, type Pricing } from '../schema/catalogue';
import { finalPredictionStatuses, predictionCostUsd, type PredictionSnapshot } from '../schema/prediction';
import type { BudgetLedger, LedgerKind } from './budget-ledger';
import { noInstruments, type CallOutcome, type Instruments } from './instruments';

/** One paid prediction the generation makes: a scene attempt, or one try at scoring a gate clip. */
export interface PaidCall {
  /** Unique in the generation: `s2#1` for a scene attempt, `s1#2/score#1` for a score; also its ledger key. */
  key: string;
  sceneId: string;
  kind: LedgerKind;
  model: string;
  version?: string;
  input: Record<string, unknown>;
  pricing: Pricing;
  /** The output seconds it is priced on (0 for a score). */
  outputSec: number;
  /** How long such a run usually takes, in milliseconds. */
  typicalMs: number;
}

/** Where a paid call is. */
export interface CallState {
  call: PaidCall;
  predictionId: string | null;
  /** Replicate will post its end to scenegate's webhook receiver. */
  webhook: boolean;
  /** The prediction in its final state, once known (from a webhook or a read). */
  final: PredictionSnapshot | null;
  /** What it cost, once booked. */
  costUsd: number | null;
}

const isFinal = (p: PredictionSnapshot): boolean => finalPredictionStatuses.includes(p.status);

function outcomeOf(state: CallState): CallOutcome {
  if (!state.predictionId) return 'not_created';
  if (!state.final) return 'unseen';
  return state.final.status === 'succeeded' ? 'succeeded' : state.final.status === 'canceled' ? 'canceled' : 'failed';
}

/**
 * Every paid prediction of a generation, from the moment it is created until its cost is
 * booked. A prediction's id is recorded as soon as the create returns (so it is in history
 * before anything waits on it); its end arrives as a signal from the webhook receiver or from a
 * read on a timer, whichever comes first, and the other is ignored, as is any report of a
 * prediction this generation did not create. The cost is computed from the prediction itself.
 */
export class PaidCalls {
  private readonly calls = new Map<string, CallState>();

  constructor(
    private readonly ledger: BudgetLedger,
    private readonly instruments: Instruments = noInstruments
  ) {}

  /** A paid call starts (its money is already reserved under its key). */
  open(call: PaidCall): void {
    if (this.calls.has(call.key)) throw new Error(`paid call ${call.key} is already open`);
    this.calls.set(call.key, { call, predictionId: null, webhook: false, final: null, costUsd: null });
  }

  get(key: string): CallState | undefined {
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
   * A look at the prediction: a webhook's, a timed read's, a cancel's answer. Only a final state
   * of this call's own prediction counts, and only the first one. Returns whether it counted.
   */
  observe(key: string, prediction: PredictionSnapshot): boolean {
    const state = this.calls.get(key);
    if (!state || state.predictionId !== prediction.id || state.final || !isFinal(prediction)) return false;
    state.final = prediction;
    return true;
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
    this.ledger.settle(call.key, state.costUsd);
    this.instruments.callBooked(call.model, call.kind, outcomeOf(state), state.costUsd);
    return state.costUsd;
  }

  /** Ids of this generation's predictions, for a create that reconciles never to adopt one of them. */
  knownIds(): string[] {
    return [...this.calls.values()].flatMap((s) => (s.predictionId ? [s.predictionId] : []));
  }

  /** Calls whose prediction exists and has not ended: what a stop must cancel. */
  inFlight(): CallState[] {
    return [...this.calls.values()].filter((s) => s.predictionId !== null && s.final === null);
  }

  private require(key: string): CallState {
    const state = this.calls.get(key);
    if (!state) throw new Error(`no paid call ${key}`);
    return state;
  }
}
