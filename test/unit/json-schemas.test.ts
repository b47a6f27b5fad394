import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import YAML from 'yaml';
import { projectRoot } from '../../common/paths';
import { jsonSchemas, jsonSchemaText } from '../../schema/json-schemas';
import { hasEditorSchema, planSchema, withoutEditorSchema } from '../../schema/plan';

const schemaDir = path.join(projectRoot, 'schema');
const plansDir = path.join(projectRoot, 'examples', 'plans');

test('every committed schema/*.schema.json is what the zod schemas make (npm run schema writes them)', () => {
  const made = jsonSchemas();
  const committed = fs.readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json'));
  assert.deepEqual(committed.sort(), Object.keys(made).sort(), 'a schema file without its zod schema, or the reverse');
  for (const [file, schema] of Object.entries(made)) {
    assert.equal(
      fs.readFileSync(path.join(schemaDir, file), 'utf8'),
      jsonSchemaText(schema),
      `schema/${file} differs from the zod schema: run npm run schema and commit the file`
    );
  }
});

test('a field added to the zod plan schema alone changes the plan schema the files are compared with', () => {
  const published = JSON.parse(fs.readFileSync(path.join(schemaDir, 'plan.schema.json'), 'utf8')) as {
    properties: Record<string, unknown>;
  };
  const widened = z.toJSONSchema(planSchema.in.extend({ music: z.string().optional() }), { io: 'input' }) as {
    properties: Record<string, unknown>;
  };
  assert.ok(widened.properties.music, 'the widened schema names the new field');
  assert.equal(published.properties.music, undefined, 'the committed file does not, so the comparison above fails');
});

test('every example plan names the plan schema for editors, and the key is no part of the plan', () => {
  const files = fs.readdirSync(plansDir);
  assert.ok(files.length >= 5);
  for (const file of files) {
    const text = fs.readFileSync(path.join(plansDir, file), 'utf8');
    // YAML editors read the schema from a comment (yaml-language-server), JSON ones from the key
    const named = file.endsWith('.json')
      ? (JSON.parse(text) as { $schema?: string }).$schema
      : /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
    assert.equal(named, '../../schema/plan.schema.json', `${file} names the plan schema`);
    assert.ok(fs.existsSync(path.resolve(plansDir, named)), `${file}: ${named} exists`);
    const plan: unknown = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
    assert.equal(planSchema.safeParse(plan).success, !hasEditorSchema(plan), 'the strict schema alone refuses the key');
    assert.ok(planSchema.safeParse(withoutEditorSchema(plan)).success, `${file} is a valid plan without it`);
  }
});
