import fs from 'node:fs';
import path from 'node:path';
import { catalogueSchema, type Catalogue } from '../schema/catalogue';
import { describeIssues } from '../schema/issues';
import { projectRoot } from './paths';
import type { Settings } from './settings';

/** The catalogue shipped in the repo; `SCENEGATE_CATALOGUE` points at another file. */
const defaultCataloguePath = path.join(projectRoot, 'catalogue', 'models.json');

/** A catalogue file that cannot be read or does not match the schema. */
export class CatalogueError extends Error {
  override readonly name = 'CatalogueError';
  constructor(
    readonly file: string,
    message: string
  ) {
    super(`invalid model catalogue ${file}: ${message}`);
  }
}

/**
 * Reads and validates the model catalogue named by the settings.
 * @throws CatalogueError naming the file and the invalid fields.
 */
export function loadCatalogue(settings: Pick<Settings, 'SCENEGATE_CATALOGUE'> = {}): Catalogue {
  const file = settings.SCENEGATE_CATALOGUE ?? defaultCataloguePath;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CatalogueError(file, (err as Error).message);
  }
  const parsed = catalogueSchema.safeParse(raw);
  if (!parsed.success) throw new CatalogueError(file, describeIssues(parsed.error));
  return parsed.data;
}
