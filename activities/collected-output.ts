import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../schema/failures';
import type { PredictionSnapshot } from '../schema/prediction';

/** A final failure of collecting a prediction's output: the workflow makes another attempt rather than retrying it. */
export type CollectFailure = (type: string, message: string, predictionId: string) => ApplicationFailure;

/** Builds the final failures a collecting activity throws, their messages cleared of the token. */
export function collectFailure(redact: (text: string) => string): CollectFailure {
  return (type, message, predictionId) =>
    ApplicationFailure.create({ type, nonRetryable: true, message: redact(message), details: [{ predictionId }] });
}

/**
 * The URL of a finished prediction's output, its first when the model answers a list (InstantID
 * answers a list of images, Gen-4 Image and the video models one URL). A failed or unfinished run
 * fails with PredictionFailed and the model's error, so the Web UI shows it as a failed activity;
 * an output already gone fails with OutputUnusable.
 */
export function outputToCollect(prediction: PredictionSnapshot, label: string, final: CollectFailure): string {
  if (prediction.status !== 'succeeded') {
    throw final(
      FailureType.PredictionFailed,
      `${label}: prediction ${prediction.id} ${prediction.status}: ${prediction.error ?? 'no error given'}`,
      prediction.id
    );
  }
  const output = Array.isArray(prediction.output) ? prediction.output[0] : prediction.output;
  if (typeof output !== 'string') {
    throw final(
      FailureType.OutputUnusable,
      `${label}: prediction ${prediction.id} has no output URL${prediction.dataRemoved ? ' (Replicate already removed it)' : ''}`,
      prediction.id
    );
  }
  return output;
}
