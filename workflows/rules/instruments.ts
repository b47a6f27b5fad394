import type { LedgerKind } from './budget-ledger';

/** How a booked paid call ended, for the metrics: its prediction's final status, or why there is none. */
export type BookedOutcome = 'succeeded' | 'failed' | 'canceled' | 'unseen' | 'not_created';

/** A gate's verdict on a clip: the scorer's, or a person's. */
export type GateVerdict = 'pass' | 'miss' | 'approved' | 'rejected';

/**
 * What a generation tells the metrics as it goes. The rules call it; the workflow gives the
 * SDK's metric meter (which stays silent during replay), tests a recorder.
 */
export interface Instruments {
  /** A paid prediction exists, with the money reserved for it. */
  predictionCreated(model: string, kind: LedgerKind, reservedUsd: number): void;
  /** A paid call was booked at what it cost. */
  callBooked(model: string, kind: LedgerKind, outcome: BookedOutcome, costUsd: number): void;
  gateVerdict(verdict: GateVerdict): void;
  /** A scene has its clip, `seconds` after its first attempt began. */
  sceneDone(model: string, seconds: number): void;
}

export const noInstruments: Instruments = {
  predictionCreated: () => undefined,
  callBooked: () => undefined,
  gateVerdict: () => undefined,
  sceneDone: () => undefined,
};
