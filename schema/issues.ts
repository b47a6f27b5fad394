import type { z } from 'zod';

/** `["scenes", 2, "entities", 0]` → `scenes[2].entities[0]`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** Each problem of a failed parse as `field: what is wrong`, e.g. `scenes[2].entities[0]: unknown consistency group "heroo"`. */
export function listIssues(error: z.ZodError, root?: string): string[] {
  return error.issues.map((issue) => {
    const path = root ? [root, ...issue.path] : issue.path;
    // a problem with the whole object (an unknown top-level key) names the key in its message
    return path.length ? `${formatPath(path)}: ${issue.message}` : issue.message;
  });
}

/** Every problem of a failed parse on one line, separated by `; `. */
export function describeIssues(error: z.ZodError, root?: string): string {
  const problems = listIssues(error, root);
  return problems.length ? problems.join('; ') : 'invalid input';
}
