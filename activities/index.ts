import type Replicate from 'replicate';
import type {
  AssembleVideoInput,
  AssembleVideoResult,
  CancelPredictionInput,
  CancelPredictionResult,
  PrepareGenerationInput,
  PrepareGenerationResult,
  SceneClipRequest,
  SceneClipResult,
  ScoreConsistencyInput,
  ScoreConsistencyResult,
} from '../schema/activities';
import type { Catalogue } from '../schema/catalogue';
import { makeAssembleVideo } from './assemble-video';
import { makeCancelPrediction } from './cancel-prediction';
import { makeGenerateSceneClip } from './generate-scene-clip';
import { makePrepareGeneration } from './prepare-generation';
import type { ReplicateConnection } from './replicate/client';
import { makeScoreConsistency } from './score-consistency';
import type { LocalStorage } from './storage';

/** Everything the activities need; tests pass real ones pointed at the emulator. */
export interface ActivityDeps {
  replicate: Replicate;
  connection: ReplicateConnection;
  storage: LocalStorage;
  catalogue: Catalogue;
  referenceRoots: string[];
  polling?: { initialMs: number; maxMs: number };
  reconcileSkewMs?: number;
  referenceLimits?: { maxBytes: number; minSide: number; maxSide: number };
}

/** scenegate's activities; workflows proxy this type and never import the implementations. */
export interface Activities {
  prepareGeneration(input: PrepareGenerationInput): Promise<PrepareGenerationResult>;
  generateSceneClip(request: SceneClipRequest): Promise<SceneClipResult>;
  cancelPrediction(input: CancelPredictionInput): Promise<CancelPredictionResult>;
  scoreConsistency(input: ScoreConsistencyInput): Promise<ScoreConsistencyResult>;
  assembleVideo(input: AssembleVideoInput): Promise<AssembleVideoResult>;
}

/** Builds scenegate's activities from their dependencies. */
export function createActivities(deps: ActivityDeps): Activities {
  const durable = {
    replicate: deps.replicate,
    connection: deps.connection,
    polling: deps.polling ?? { initialMs: 500, maxMs: 5000 },
    reconcileSkewMs: deps.reconcileSkewMs ?? 60_000,
  };
  return {
    prepareGeneration: makePrepareGeneration({
      ...durable,
      storage: deps.storage,
      catalogue: deps.catalogue,
      referenceRoots: deps.referenceRoots,
      limits: deps.referenceLimits ?? { maxBytes: 10 * 1024 * 1024, minSide: 64, maxSide: 8192 },
    }),
    generateSceneClip: makeGenerateSceneClip({ ...durable, storage: deps.storage, catalogue: deps.catalogue }),
    cancelPrediction: makeCancelPrediction({ ...durable, catalogue: deps.catalogue }),
    scoreConsistency: makeScoreConsistency({ ...durable, catalogue: deps.catalogue }),
    assembleVideo: makeAssembleVideo({ storage: deps.storage }),
  };
}
