import type { z } from 'zod';

/** `["scenes", 2, "entities", 0]` → `scenes[2].entities[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/**
 * One line for a failed parse: the first problem with the field it concerns, and how many
 * more there are, e.g. `scenes[2].entities[0]: unknown consistency group "heroo"`.
 */
export function describeIssues(error: z.ZodError, root?: string): string {
  const [first, ...rest] = error.issues;
  if (!first) return 'invalid input';
  const field = formatPath(root ? [root, ...first.path] : first.path);
  const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  return `${field}: ${first.message}${more}`;
}
