import type { EmulatedModel } from './models';

/**
 * A model as GET /v1/models/{owner}/{name} returns it: its latest version with the input schema,
 * enums written as Replicate writes them (`allOf` a `$ref` to a component of their own).
 * `changes` (the `schemaChanges` knob) replaces inputs, or removes them (null), as an upstream
 * change would, so `scenegate models check` can be seen to catch one.
 */
export function modelJson(model: EmulatedModel, changes: Record<string, object | null> = {}): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  const served = Object.entries(model.inputs).map(([name, f]): [string, object | null] => [
    name,
    {
      type: f.type === 'uri[]' || f.type === 'string[]' ? 'array' : f.type === 'uri' ? 'string' : f.type,
      ...(f.type === 'uri' ? { format: 'uri' } : {}),
      ...(f.type === 'uri[]' ? { items: { type: 'string', format: 'uri' } } : {}),
      ...(f.type === 'string[]' ? { items: { type: 'string' } } : {}),
      ...(f.enum ? { enum: f.enum } : {}),
      ...(f.default !== undefined ? { default: f.default } : {}),
      ...(f.minimum !== undefined ? { minimum: f.minimum } : {}),
      ...(f.maximum !== undefined ? { maximum: f.maximum } : {}),
      description: f.description,
    },
  ]);
  const properties: Record<string, unknown> = {};
  for (const [name, property] of [...served, ...Object.entries(changes)]) {
    if (property === null) {
      delete properties[name];
      continue;
    }
    const { enum: values, type, ...rest } = property as { enum?: unknown[]; type?: string };
    if (!values) {
      properties[name] = { type, ...rest };
      continue;
    }
    components[name] = { title: name, type, enum: values, description: 'An enumeration.' };
    properties[name] = { ...rest, allOf: [{ $ref: `#/components/schemas/${name}` }] };
  }
  const required = Object.entries(model.inputs)
    .filter(([name, f]) => f.required && name in properties)
    .map(([name]) => name);
  return {
    url: `https://replicate.com/${model.id}`,
    owner: model.id.split('/')[0],
    name: model.id.split('/')[1],
    description: model.description,
    visibility: 'public',
    latest_version: {
      id: model.version,
      created_at: '2025-01-01T00:00:00.000Z',
      cog_version: '0.14.0',
      openapi_schema: { components: { schemas: { ...components, Input: { type: 'object', properties, required } } } },
    },
  };
}
