import fs from 'node:fs';
import path from 'node:path';
import type { Catalogue } from '../schema/catalogue';
import { describeIssues } from '../schema/issues';
import {
  catalogueFindings,
  fixtureFindings,
  inputFromOpenApi,
  publishedSchemaFileSchema,
  type PublishedSchemaFile,
  type SchemaFinding,
} from '../schema/published-schema';
import { projectRoot } from './paths';

/** Where the published input schemas are recorded, one file per model: `owner--name.json`. */
export const publishedSchemasDir = path.join(projectRoot, 'catalogue', 'schemas');

/** The recorded published schema of a model, or undefined when none was recorded (scenegate's own local model). */
export function recordedSchema(modelId: string, dir = publishedSchemasDir): PublishedSchemaFile | undefined {
  const file = path.join(dir, `${modelId.replace('/', '--')}.json`);
  if (!fs.existsSync(file)) return undefined;
  const parsed = publishedSchemaFileSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** What one model's check found: the version read, and every difference, or why it could not be read. */
export interface ModelCheck {
  model: string;
  version: string | null;
  findings: SchemaFinding[];
  error?: string;
}

/**
 * Reads each model's live schema (`GET /v1/models/{owner}/{name}`, its latest version's
 * `openapi_schema`) and compares it with what the catalogue sends and with the recorded fixture.
 * `models` defaults to every catalogue model with a recorded schema, and the CLIP scorer.
 */
export async function checkModels(options: {
  catalogue: Catalogue;
  baseUrl: string;
  token: string;
  models?: readonly string[];
  fetch?: typeof fetch;
}): Promise<ModelCheck[]> {
  const { catalogue } = options;
  const get = options.fetch ?? fetch;
  const ids = options.models?.length
    ? options.models
    : [...catalogue.models.map((m) => m.id), catalogue.scorers.clip.id].filter((id) => recordedSchema(id));
  return Promise.all(
    ids.map(async (id): Promise<ModelCheck> => {
      const entry = catalogue.models.find((m) => m.id === id);
      const recorded = recordedSchema(id);
      if (!entry && id !== catalogue.scorers.clip.id) {
        return { model: id, version: null, findings: [], error: 'not in the catalogue' };
      }
      try {
        const response = await get(`${options.baseUrl}/models/${id}`, {
          headers: { authorization: `Bearer ${options.token}` },
          signal: AbortSignal.timeout(30_000),
        });
        if (!response.ok) return { model: id, version: null, findings: [], error: `HTTP ${response.status}` };
        const body = (await response.json()) as { latest_version?: { id?: string; openapi_schema?: unknown } };
        const live = inputFromOpenApi(body.latest_version?.openapi_schema);
        const findings = [
          ...(entry ? catalogueFindings(entry, live) : []),
          ...(recorded ? fixtureFindings(id, recorded.input, live) : []),
        ];
        return { model: id, version: body.latest_version?.id ?? null, findings };
      } catch (err) {
        return { model: id, version: null, findings: [], error: (err as Error).message };
      }
    })
  );
}
