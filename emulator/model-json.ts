import type { EmulatedModel } from './models';

/** A model as GET /v1/models/{owner}/{name} returns it: its latest version with the input schema. */
export function modelJson(model: EmulatedModel): Record<string, unknown> {
  const properties = Object.fromEntries(
    Object.entries(model.inputs).map(([name, f]) => [
      name,
      {
        type: f.type === 'uri[]' ? 'array' : f.type === 'uri' ? 'string' : f.type,
        ...(f.type === 'uri' ? { format: 'uri' } : {}),
        ...(f.type === 'uri[]' ? { items: { type: 'string', format: 'uri' } } : {}),
        ...(f.enum ? { enum: f.enum } : {}),
        ...(f.default !== undefined ? { default: f.default } : {}),
        ...(f.minimum !== undefined ? { minimum: f.minimum } : {}),
        ...(f.maximum !== undefined ? { maximum: f.maximum } : {}),
        description: f.description,
      },
    ])
  );
  const required = Object.entries(model.inputs)
    .filter(([, f]) => f.required)
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
      openapi_schema: { components: { schemas: { Input: { type: 'object', properties, required } } } },
    },
  };
}
