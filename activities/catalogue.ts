import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { catalogueSchema, type Catalogue, type ModelEntry } from '../schema/catalogue';
import { FailureType } from '../schema/failures';
import { describeIssues } from '../schema/issues';
import { projectRoot } from '../devenv/paths';

/** The catalogue shipped in the repo; `SCENEGATE_CATALOGUE` points at another file. */
export const defaultCataloguePath = path.join(projectRoot, 'catalogue', 'models.json');

/**
 * Reads and validates a model catalogue.
 * @throws Error naming the file and the first invalid field.
 */
export function loadCatalogue(file = process.env.SCENEGATE_CATALOGUE ?? defaultCataloguePath): Catalogue {
  const parsed = catalogueSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`invalid model catalogue ${file}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

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
