import path from 'node:path';
import { z } from 'zod';

/** A setting read from the environment was invalid; the message is one line naming it. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    readonly variable: string,
    readonly expected: string,
    readonly got: string | undefined
  ) {
    super(
      `invalid setting ${variable}: expected ${expected}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`
    );
  }
}

const positiveInt = (what: string) => z.coerce.number({ error: what }).int({ error: what }).positive({ error: what });

/**
 * Process settings from the environment (the Temporal connection itself comes from
 * @temporalio/envconfig's TEMPORAL_* variables). Each field documents its variable.
 */
export const settingsSchema = z.object({
  /** SCENEGATE_TASK_QUEUE: where generations and their activities run. */
  SCENEGATE_TASK_QUEUE: z
    .string()
    .regex(/^[\w.\-/:]+$/, { error: 'a task queue name without spaces' })
    .default('scenegate'),
  /** SCENEGATE_STATE_DIR: local state (dev-server database, clips, outputs). */
  SCENEGATE_STATE_DIR: z.string().min(1, { error: 'a folder path' }).optional(),
  /** REPLICATE_API_TOKEN: when set, scenes call the hosted Replicate API instead of the emulator. */
  REPLICATE_API_TOKEN: z.string().min(1, { error: 'a Replicate API token (r8_...)' }).optional(),
  /** REPLICATE_BASE_URL: overrides the API base URL (the emulator's, or a proxy's). */
  REPLICATE_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL such as https://api.replicate.com/v1' })
    .optional(),
  /** SCENEGATE_MAX_CONCURRENT_ACTIVITIES: activity slots per worker. */
  SCENEGATE_MAX_CONCURRENT_ACTIVITIES: positiveInt('a positive whole number').default(50),
  /** SCENEGATE_REFERENCE_ROOTS: folders local reference images may come from (path-list). */
  SCENEGATE_REFERENCE_ROOTS: z.string().optional(),
});

export type Settings = z.infer<typeof settingsSchema>;

/**
 * Parses the settings scenegate reads from `env`.
 *
 * @throws SettingsError naming the first invalid variable and what it expected.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const keys = Object.keys(settingsSchema.shape) as (keyof Settings)[];
  // treat empty strings as unset, as shells commonly export VAR= to clear a setting
  const input = Object.fromEntries(keys.map((key) => [key, env[key] === '' ? undefined : env[key]]));
  const parsed = settingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  throw new SettingsError(variable, issue?.message ?? 'a valid value', env[variable]);
}

/** The folders local reference images may be read from. */
export function referenceRoots(settings: Settings, cwd = process.cwd()): string[] {
  return (settings.SCENEGATE_REFERENCE_ROOTS ?? cwd)
    .split(path.delimiter)
    .filter(Boolean)
    .map((p) => path.resolve(p));
}
