/** The catalogue against the schemas Replicate publishes, recorded in catalogue/schemas/ and read live. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../common/catalogue-file';
import { checkModels, recordedSchema } from '../../common/published-schemas';
import { catalogueFindings, type PublishedInput } from '../../schema/published-schema';

const catalogue = loadCatalogue();

test('every hosted catalogue model has a recorded published schema, and the catalogue sends only what it takes', () => {
  // scenegate's own models live only in the emulator
  const hosted = catalogue.models.filter((m) => !m.id.startsWith('scenegate/'));
  assert.ok(hosted.length >= 7);
  for (const entry of hosted) {
    const recorded = recordedSchema(entry.id);
    assert.ok(recorded, `${entry.id} has no file in catalogue/schemas`);
    assert.match(recorded.source, /^https:\/\/(replicate\.com|www\.npmjs\.com)\//, `${entry.id}: its source`);
    assert.deepEqual(catalogueFindings(entry, recorded.input), [], entry.id);
    // what the model makes and where its first frame goes are read from the same page
    assert.equal(entry.output === 'image', recorded.produces === 'image', `${entry.id}: image or video`);
    if (entry.inputs.firstFrame) assert.equal(entry.inputs.firstFrame.field, recorded.firstFrame, entry.id);
  }
  assert.ok(recordedSchema(catalogue.scorers.clip.id), 'the CLIP scorer too');
});

/**
 * A model's `openapi_schema` as Replicate serves it: enums as `allOf: [{$ref}]` to a component of
 * their own, `changes` applied to the recorded properties (null removes one).
 */
function served(input: PublishedInput, changes: Record<string, object | null> = {}): unknown {
  const components: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  for (const [name, p] of Object.entries({ ...input.properties, ...changes })) {
    if (p === null) continue;
    const { enum: values, type, ...rest } = p as { enum?: unknown[]; type?: string };
    if (values) {
      components[name] = { title: name, type, enum: values, description: 'An enumeration.' };
      properties[name] = { ...rest, allOf: [{ $ref: `#/components/schemas/${name}` }] };
    } else properties[name] = { ...rest, type };
  }
  return {
    components: { schemas: { ...components, Input: { type: 'object', required: input.required, properties } } },
  };
}

function fakeReplicate(changes: Record<string, Record<string, object | null>>): typeof fetch {
  return (async (url: string | URL | Request) => {
    const id = String(url).replace(/^.*\/models\//, '');
    const recorded = recordedSchema(id)!;
    const body = { latest_version: { id: 'f'.repeat(64), openapi_schema: served(recorded.input, changes[id]) } };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

test("models check reads Replicate's form of a schema (enums by $ref) and finds nothing when it is as recorded", async () => {
  const checks = await checkModels({ catalogue, baseUrl: 'https://r/v1', token: 't', fetch: fakeReplicate({}) });
  assert.deepEqual(
    checks.map((c) => [c.model, c.findings, c.error]),
    [...catalogue.models.filter((m) => !m.id.startsWith('scenegate/')).map((m) => m.id), catalogue.scorers.clip.id].map(
      (id) => [id, [], undefined]
    )
  );
});

test('models check names the field when a live schema drops what scenegate sends, or changes what the fixture recorded', async () => {
  const checks = await checkModels({
    catalogue,
    baseUrl: 'https://r/v1',
    token: 't',
    models: ['google/veo-3.1', 'bytedance/seedance-2.0'],
    fetch: fakeReplicate({
      'google/veo-3.1': { reference_images: null },
      'bytedance/seedance-2.0': { aspect_ratio: { type: 'string', enum: ['16:9', '9:16'], default: '16:9' } },
    }),
  });
  const [veo, seedance] = checks;
  assert.deepEqual(
    veo!.findings.map((f) => [f.kind, f.field, f.expected, f.found]),
    [
      ['catalogue', 'reference_images', 'array of uri', 'absent'],
      ['fixture', 'reference_images', 'array of uri', 'absent'],
    ]
  );
  assert.deepEqual(
    seedance!.findings.map((f) => [f.kind, f.field, f.expected]),
    [
      ['catalogue', 'aspect_ratio', '1:1'],
      ['fixture', 'aspect_ratio', 'string enum 16:9|4:3|1:1|3:4|9:16|21:9|9:21|adaptive'],
    ]
  );
});
