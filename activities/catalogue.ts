import { ApplicationFailure } from '@temporalio/common';
import type { Catalogue, ModelEntry } from '../schema/catalogue';
import { FailureType } from '../schema/failures';

/**
 * Finds a model by id.
 * @throws non-retryable UnknownModel failure listing the known ids.
 */
export function findModel(catalogue: Catalogue, id: string): ModelEntry {
  const entry = catalogue.models.find((m) => m.id === id);
  if (!entry) {
    throw ApplicationFailure.create({
      type: FailureType.UnknownModel,
      nonRetryable: true,
      message: `model: unknown model "${id}" (the catalogue has ${catalogue.models.map((m) => m.id).join(', ')})`,
    });
  }
  return entry;
}
