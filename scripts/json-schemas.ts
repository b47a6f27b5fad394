/** `npm run schema`: writes schema/*.schema.json from the zod schemas (schema/json-schemas.ts). */
import fs from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../common/paths';
import { runMain } from '../common/run-main';
import { jsonSchemas, jsonSchemaText } from '../schema/json-schemas';

await runMain(async () => {
  for (const [file, schema] of Object.entries(jsonSchemas())) {
    await fs.writeFile(path.join(projectRoot, 'schema', file), jsonSchemaText(schema));
    console.log(`wrote schema/${file}`);
  }
});
