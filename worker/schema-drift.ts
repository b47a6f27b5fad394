import type { ActivityDeps } from '../activities';
import { checkModels } from '../common/published-schemas';

/**
 * Once at start on hosted Replicate: reads every catalogue model's live schema and warns of each
 * difference from what the catalogue sends or from the recorded schema (`scenegate models check`
 * prints the same as a table). It warns rather than refuses: a description edited upstream should
 * not stop the generations already running, and a create a model refuses fails on its own, naming
 * the field; the operator decides whether to update the catalogue.
 */
export async function warnOfSchemaDrift(
  deps: Pick<ActivityDeps, 'catalogue' | 'connection'>,
  warn: (message: string, fields: Record<string, unknown>) => void
): Promise<void> {
  const checks = await checkModels({
    catalogue: deps.catalogue,
    baseUrl: deps.connection.baseUrl,
    token: deps.connection.token,
  });
  for (const check of checks) {
    if (check.error) warn("could not read a model's live schema", { model: check.model, error: check.error });
    for (const f of check.findings) {
      const what =
        f.kind === 'catalogue'
          ? 'a model no longer takes what the catalogue sends: run "scenegate models check" and update catalogue/models.json'
          : "a model's live schema differs from the one recorded in catalogue/schemas";
      warn(what, { model: f.model, field: f.field, expected: f.expected, found: f.found });
    }
  }
}
