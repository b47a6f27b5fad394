/**
 * The package entry (`import { GenerationClient } from 'scenegate'`) for an application that
 * starts and follows generations from its own code. It loads neither the worker, ffmpeg, the
 * emulator nor the AWS SDK at import; docs/client.md says how to install it without them.
 */
import { storageFromSettings } from '../common/storage/from-settings';
import { loadSettings } from '../common/settings';

export {
  GenerationClient,
  GenerationEndedError,
  GenerationHandle,
  UpdateRefusedError,
  type GenerationListing,
  type StartGenerationOptions,
} from './generation-client';
export { InvalidPlanError, newGenerationId, validatePlan } from './load-plan';
export { connectClient, TemporalUnreachableError } from '../common/temporal-connection';
export { ExitCode, UserFacingError } from '../common/run-main';
export { GENERATE_VIDEO_WORKFLOW } from '../workflows/messages';
export { DEFAULT_TASK_QUEUE } from '../common/settings';
export { planSchema, type Plan, type PlanInput, type Scene, type Strategy } from '../schema/plan';
export {
  generationResultSchema,
  progressSchema,
  type GenerationResult,
  type GenerationStatus,
  type Progress,
  type SceneProgress,
  type SceneStatus,
} from '../schema/progress';
export type {
  Abort,
  ApproveGate,
  RaiseBudget,
  RejectGate,
  RetryScene,
  SetBudget,
  SkipScene,
  UpdateOutcome,
} from '../schema/messages';

/**
 * Where a result's `videoPath` (or a clip's key) can be read: a file path when the worker keeps
 * files in a folder, a presigned URL valid for `expiresInSec` when it keeps them in a bucket.
 * Reads the same SCENEGATE_* storage settings as the worker; the AWS SDK is loaded only for a
 * bucket (`npm install @aws-sdk/client-s3 @aws-sdk/lib-storage @aws-sdk/s3-request-presigner`
 * when the app was installed without optional dependencies).
 */
export function location(key: string, expiresInSec?: number, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return storageFromSettings(loadSettings(env)).location(key, expiresInSec);
}
