import type { VisionScoreRequest, VisionScoreResult } from './vision-scorer';

/** A score asked of the scorer process, over its IPC channel. */
export interface ScorerRequestMessage {
  id: number;
  request: VisionScoreRequest;
}

/** Why a score failed, as the scorer process reports it (the error's class name and its context). */
export interface ScorerErrorInfo {
  name: string;
  message: string;
  /** VisionReferenceError: the reference image that cannot serve. */
  referencePath?: string;
  /** VisionUnavailableError: the optional package that is missing. */
  packageName?: string;
}

/** The scorer process's answer to one request. */
export type ScorerReplyMessage = { id: number; result: VisionScoreResult } | { id: number; error: ScorerErrorInfo };
