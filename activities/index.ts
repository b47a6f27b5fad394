import { ApplicationFailure } from '@temporalio/common';
import type Replicate from 'replicate';
import type { Activities } from '../schema/activities';
import type { Catalogue } from '../schema/catalogue';
import { FailureType } from '../schema/failures';
import { makeAssembleVideo } from './assemble-video';
import { makeCollectClip } from './collect-clip';
import { makeCollectKeyframe } from './collect-keyframe';
import { makeCreatePrediction } from './create-prediction';
import { makePrepareGeneration, type ReferenceFetchSettings } from './prepare-generation';
import { makeRenewKeyframe } from './renew-keyframe';
import { makeRenewReferences } from './renew-references';
import { makeReadPrediction } from './read-prediction';
import { consolePageUrl } from '../common/links';
import { makeNotify } from './notify';
import type { ReplicateConnection } from './replicate/client';
import { makeScoreClip, type VisionScoring } from './score-clip';
import { VisionScorerClient } from '../media/vision/scorer-client';
import type { Storage } from '../common/storage/storage';

/** Everything the activities need; tests pass real ones pointed at the emulator. */
export interface ActivityDeps {
  replicate: Replicate;
  connection: ReplicateConnection;
  storage: Storage;
  catalogue: Catalogue;
  referenceRoots: string[];
  /** The public URL of a webhook receiver; unset: predictions are created without a webhook. */
  webhookUrl?: string;
  /** The review console people reach (SCENEGATE_CONSOLE_URL), for the links each generation shows. */
  consoleUrl?: string;
  /** Where notifications are POSTed (SCENEGATE_NOTIFY_URL); unset: generations send none. */
  notifyUrl?: string;
  reconcileSkewMs?: number;
  referenceLimits?: { maxBytes: number; minSide: number; maxSide: number };
  /** What reference URLs may reach beyond the public internet, and their time limits; unset: public only, 60 s, 15 s idle. */
  referenceFetch?: ReferenceFetchSettings;
  /** The `vision` scorer; unset: its own process, started on the first score (media/vision/scorer-client.ts). */
  vision?: VisionScoring;
}

async function notifyUnconfigured(): Promise<void> {
  throw ApplicationFailure.retryable(
    'this worker has no SCENEGATE_NOTIFY_URL, but the generation was prepared by one that has: set it on every worker',
    FailureType.NotifyFailed
  );
}

/** Builds scenegate's activities from their dependencies. */
export function createActivities(deps: ActivityDeps): Activities {
  const replicate = { replicate: deps.replicate, connection: deps.connection };
  const prepare = makePrepareGeneration({
    ...replicate,
    storage: deps.storage,
    catalogue: deps.catalogue,
    referenceRoots: deps.referenceRoots,
    limits: deps.referenceLimits ?? { maxBytes: 10 * 1024 * 1024, minSide: 64, maxSide: 8192 },
    ...(deps.referenceFetch ? { referenceFetch: deps.referenceFetch } : {}),
  });
  const { consoleUrl, notifyUrl } = deps;
  return {
    // the console link is the worker's to give: workers are deployed knowing where people reach it
    prepareGeneration: async function prepareGeneration(input) {
      const prepared = await prepare(input);
      return {
        ...prepared,
        ...(consoleUrl ? { consoleUrl: consolePageUrl(consoleUrl, input.generationId) } : {}),
        ...(notifyUrl ? { notify: true } : {}),
      };
    },
    renewReferences: makeRenewReferences({ ...replicate, storage: deps.storage }),
    ...makeCreatePrediction({
      ...replicate,
      ...(deps.webhookUrl ? { webhookUrl: deps.webhookUrl } : {}),
      reconcileSkewMs: deps.reconcileSkewMs ?? 60_000,
    }),
    ...makeReadPrediction(replicate),
    collectClip: makeCollectClip({ storage: deps.storage, connection: deps.connection }),
    collectKeyframe: makeCollectKeyframe({ ...replicate, storage: deps.storage }),
    renewKeyframe: makeRenewKeyframe({ ...replicate, storage: deps.storage }),
    ...makeScoreClip({ ...replicate, storage: deps.storage, vision: deps.vision ?? new VisionScorerClient() }),
    assembleVideo: makeAssembleVideo({ storage: deps.storage }),
    // a generation prepared without a receiver never schedules it; one prepared by a worker that
    // has one may still reach a worker without: say so, and let another try find one that has it
    notify: notifyUrl ? makeNotify({ url: notifyUrl }) : notifyUnconfigured,
  };
}

/** The activities each task queue serves: creates on their own (rate-limited) queue, the rest beside the workflows. */
export function splitByQueue(activities: Activities): {
  main: Omit<Activities, 'createPrediction'>;
  creates: Pick<Activities, 'createPrediction'>;
} {
  const { createPrediction, ...main } = activities;
  return { main, creates: { createPrediction } };
}
