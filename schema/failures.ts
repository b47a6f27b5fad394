/**
 * Stable `ApplicationFailure.type` strings. Compare failures by these, never with
 * `instanceof`, because failures cross the workflow sandbox and process boundaries.
 */
export const FailureType = {
  /** The plan, or an operator's message, breaks the schema. */
  InvalidPlan: 'InvalidPlan',
  /** A reference image is missing, unreadable, not an image, too large, or outside the allowed folders. */
  InvalidReference: 'InvalidReference',
  /** The plan names a model the catalogue does not list. */
  UnknownModel: 'UnknownModel',
  /** Replicate refused the token. */
  ReplicateAuth: 'ReplicateAuthFailed',
  /** Replicate wants payment before it runs anything more (402). */
  ReplicateBilling: 'ReplicateInsufficientCredit',
  /** Replicate rejected the model input (422). */
  ReplicateInvalidInput: 'ReplicateInvalidInput',
  /** Replicate does not know the model, version or prediction (404). */
  ReplicateNotFound: 'ReplicateNotFound',
  /** 429: retried after the delay Replicate asks for. */
  ReplicateRateLimited: 'ReplicateRateLimited',
  /** 5xx from Replicate: retried with backoff. */
  ReplicateUnavailable: 'ReplicateUnavailable',
  /** The connection failed before an answer: retried; a create is reconciled first. */
  ReplicateNetwork: 'ReplicateNetworkError',
  /** The model ran and failed (or was cancelled outside scenegate): the attempt is paid and the scene may try again. */
  PredictionFailed: 'PredictionFailed',
  /** The prediction succeeded but its output is gone (removed after Replicate's retention) or is not a video. */
  OutputUnusable: 'OutputUnusable',
  /** The first-scene gate did not pass. */
  GateFailed: 'GateFailed',
  /** A person rejected the gate. */
  GateRejected: 'GateRejected',
  /** The next paid attempt would cross the budget and no more money came in time. */
  BudgetExceeded: 'BudgetExceeded',
  /** A scene used up its attempts (fail-fast), or every scene failed. */
  SceneFailed: 'SceneFailed',
  /** An operator aborted the generation. */
  Aborted: 'Aborted',
  /** An update's validator turned the request down (unknown scene, wrong state, bad payload). */
  UpdateRefused: 'UpdateRefused',
  /** An id that cannot be part of a storage key (a `/`, `.` or `..` part, a control character). */
  InvalidStorageKey: 'InvalidStorageKey',
  /** The worker cannot run the plan's scorer (the `vision` scorer's optional npm packages are not installed). */
  ScorerUnavailable: 'ScorerUnavailable',
  /** The notification receiver (SCENEGATE_NOTIFY_URL) did not take a message; the generation goes on. */
  NotifyFailed: 'NotifyFailed',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Activity failures that retrying cannot fix. */
export const nonRetryableActivityFailures: FailureType[] = [
  FailureType.InvalidPlan,
  FailureType.InvalidReference,
  FailureType.ScorerUnavailable,
  FailureType.InvalidStorageKey,
  FailureType.UnknownModel,
  FailureType.ReplicateAuth,
  FailureType.ReplicateBilling,
  FailureType.ReplicateInvalidInput,
  FailureType.ReplicateNotFound,
  FailureType.PredictionFailed,
  FailureType.OutputUnusable,
];

/** Failures that concern the whole Replicate account, not one scene: the generation stops at once. */
export const accountWideFailures: FailureType[] = [FailureType.ReplicateAuth, FailureType.ReplicateBilling];
