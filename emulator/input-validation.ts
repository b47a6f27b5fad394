import type { EmulatedModel, InputField } from './models';

export interface InvalidField {
  type: 'required' | 'unknown_field' | 'invalid_type' | 'enum' | 'minimum' | 'maximum' | 'min_items' | 'max_items';
  field: string;
  description: string;
}

const isUri = (v: unknown): boolean => typeof v === 'string' && /^(https?:\/\/|data:)/.test(v);

function checkValue(name: string, field: InputField, value: unknown): InvalidField | undefined {
  const bad = (type: InvalidField['type'], description: string): InvalidField => ({
    type,
    field: `input.${name}`,
    description,
  });
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') return bad('invalid_type', `${name} must be a string`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return bad('invalid_type', `${name} must be a boolean`);
      break;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value))
        return bad('invalid_type', `${name} must be an integer`);
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad('invalid_type', `${name} must be a number`);
      break;
    case 'uri':
      if (!isUri(value)) return bad('invalid_type', `${name} must be a URI`);
      break;
    case 'string[]':
    case 'uri[]': {
      const item = field.type === 'uri[]' ? isUri : (v: unknown): boolean => typeof v === 'string';
      if (!Array.isArray(value) || !value.every(item)) {
        return bad('invalid_type', `${name} must be an array of ${field.type === 'uri[]' ? 'URIs' : 'strings'}`);
      }
      if (field.minItems !== undefined && value.length < field.minItems)
        return bad('min_items', `${name} needs at least ${field.minItems} item(s)`);
      if (field.maxItems !== undefined && value.length > field.maxItems)
        return bad('max_items', `${name} takes at most ${field.maxItems} item(s)`);
      break;
    }
  }
  if (field.enum && !field.enum.includes(value as string | number)) {
    return bad('enum', `${name} must be one of ${field.enum.join(', ')}`);
  }
  if (typeof value === 'number' && field.minimum !== undefined && value < field.minimum) {
    return bad('minimum', `${name} must be greater than or equal to ${field.minimum}`);
  }
  if (typeof value === 'number' && field.maximum !== undefined && value > field.maximum) {
    return bad('maximum', `${name} must be less than or equal to ${field.maximum}`);
  }
  return undefined;
}

/**
 * Validates an input against a model's schema as the hosted API does (422 on a missing required,
 * an unknown field or a bad value) and returns it with defaults filled in.
 */
export function validateInput(
  model: EmulatedModel,
  input: unknown
): { ok: true; input: Record<string, unknown> } | { ok: false; invalid: InvalidField[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, invalid: [{ type: 'invalid_type', field: 'input', description: 'input must be an object' }] };
  }
  const given = input as Record<string, unknown>;
  const invalid: InvalidField[] = [];
  for (const name of Object.keys(given)) {
    if (!(name in model.inputs)) {
      invalid.push({
        type: 'unknown_field',
        field: `input.${name}`,
        description: `${name} is not an input of ${model.id}`,
      });
    }
  }
  const filled: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(model.inputs)) {
    const value = given[name];
    if (value === undefined || value === null) {
      if (field.required) invalid.push({ type: 'required', field: 'input', description: `${name} is required` });
      else if (field.default !== undefined) filled[name] = field.default;
      continue;
    }
    const problem = checkValue(name, field, value);
    if (problem) invalid.push(problem);
    else filled[name] = value;
  }
  return invalid.length ? { ok: false, invalid } : { ok: true, input: filled };
}
