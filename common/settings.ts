import net from 'node:net';
import os from 'node:os';
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

/** The token the emulator accepts unless told otherwise; scenegate sends it when REPLICATE_API_TOKEN is unset. */
export const EMULATOR_TOKEN = 'r8_scenegate_emulator_token';

/** The task queue generations and their activities run on unless SCENEGATE_TASK_QUEUE says otherwise. */
export const DEFAULT_TASK_QUEUE = 'scenegate';

const positiveInt = (what: string) => z.coerce.number({ error: what }).int({ error: what }).positive({ error: what });
const port = z.coerce
  .number({ error: 'a port number' })
  .int({ error: 'a port number' })
  .min(0, { error: 'a port number' })
  .max(65535, { error: 'a port number' });
/** `10.0.0.1`, `10.0.0.0/8`, `fd00::/8`: an IP address, or one with a prefix length its family allows. */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix] = entry.trim().split('/');
  const family = net.isIP(address);
  return (
    family !== 0 && (prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)))
  );
}
const folder = z.string().min(1, { error: 'a folder path' });
const file = z.string().min(1, { error: 'a file path' });

/**
 * Every setting scenegate reads from its environment, each documented with its variable. The
 * Temporal connection itself comes from @temporalio/envconfig's TEMPORAL_* variables or a TOML
 * profile (see `common/temporal-connection.ts`); the README lists both.
 */
export const settingsSchema = z.object({
  /** SCENEGATE_TASK_QUEUE: where generations and their activities run. */
  SCENEGATE_TASK_QUEUE: z
    .string()
    .regex(/^[\w.\-/:]+$/, { error: 'a task queue name without spaces' })
    .default(DEFAULT_TASK_QUEUE),
  /** SCENEGATE_STATE_DIR: local state (dev-server database, logs, clips, outputs); `.scenegate/` in the checkout. */
  SCENEGATE_STATE_DIR: folder.optional(),
  /** SCENEGATE_STORAGE_DIR: where a worker keeps references, clips and videos; `$SCENEGATE_STATE_DIR/storage`. */
  SCENEGATE_STORAGE_DIR: folder.optional(),
  /** SCENEGATE_CACHE_DIR: per-machine cache (the built Temporal CLI); the user's cache folder. */
  SCENEGATE_CACHE_DIR: folder.optional(),
  /**
   * SCENEGATE_S3_BUCKET: keep references, clips and videos in this S3-compatible bucket instead
   * of SCENEGATE_STORAGE_DIR, so any worker on any host can run any step of any generation.
   */
  SCENEGATE_S3_BUCKET: z.string().min(3, { error: 'a bucket name' }).optional(),
  /** SCENEGATE_S3_PREFIX: a key prefix inside the bucket (`scenegate/`). */
  SCENEGATE_S3_PREFIX: z.string().default('scenegate/'),
  /** SCENEGATE_S3_ENDPOINT: an S3-compatible endpoint (R2, MinIO, versitygw); unset: AWS S3. Path-style addressing when set. */
  SCENEGATE_S3_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL such as http://127.0.0.1:7070' })
    .optional(),
  /**
   * SCENEGATE_S3_PUBLIC_ENDPOINT: where people's browsers reach the bucket when SCENEGATE_S3_ENDPOINT
   * is a private address (docker-compose's `http://s3:7070`); links the CLI and the console give
   * are signed for it. Unset: SCENEGATE_S3_ENDPOINT. Models still fetch references at the latter.
   */
  SCENEGATE_S3_PUBLIC_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL such as http://localhost:7070' })
    .optional(),
  /** SCENEGATE_S3_REGION: the bucket's region (`us-east-1`). */
  SCENEGATE_S3_REGION: z.string().min(1, { error: 'a region such as us-east-1' }).default('us-east-1'),
  /**
   * SCENEGATE_S3_ACCESS_KEY_ID, SCENEGATE_S3_SECRET_ACCESS_KEY: the bucket's credentials; unset:
   * the AWS SDK's own chain (AWS_ACCESS_KEY_ID, a profile, an instance role).
   */
  SCENEGATE_S3_ACCESS_KEY_ID: z.string().min(1, { error: 'an access key id' }).optional(),
  SCENEGATE_S3_SECRET_ACCESS_KEY: z.string().min(1, { error: 'a secret access key' }).optional(),
  /** SCENEGATE_CATALOGUE: the model catalogue file; catalogue/models.json in the checkout. */
  SCENEGATE_CATALOGUE: file.optional(),
  /** REPLICATE_API_TOKEN: when set, scenes call the hosted Replicate API instead of the emulator. */
  REPLICATE_API_TOKEN: z.string().min(1, { error: 'a Replicate API token (r8_...)' }).optional(),
  /** REPLICATE_BASE_URL: overrides the API base URL (the emulator's, or a proxy's). */
  REPLICATE_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL such as https://api.replicate.com/v1' })
    .optional(),
  /**
   * SCENEGATE_WEBHOOK_URL: the public URL Replicate posts webhooks to, reaching a worker's
   * receiver (SCENEGATE_WEBHOOK_PORT); hosted Replicate needs https. Unset: no webhooks, and the
   * workflow reads predictions on timers instead.
   */
  SCENEGATE_WEBHOOK_URL: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL such as https://hooks.example.com/replicate' })
    .optional(),
  /** SCENEGATE_WEBHOOK_PORT: where a worker's webhook receiver listens; unset: no receiver in this worker. */
  SCENEGATE_WEBHOOK_PORT: port.optional(),
  /** SCENEGATE_WEBHOOK_HOST: the interface the receiver binds (127.0.0.1; 0.0.0.0 behind a load balancer). */
  SCENEGATE_WEBHOOK_HOST: z.string().min(1, { error: 'a host name or address' }).default('127.0.0.1'),
  /**
   * SCENEGATE_REPLICATE_CREATES_PER_MINUTE: predictions created per minute, across every worker of
   * the task queue (Replicate allows 600 a minute per token); Temporal enforces it on the create queue.
   */
  SCENEGATE_REPLICATE_CREATES_PER_MINUTE: positiveInt('a positive whole number').default(600),
  /** SCENEGATE_MAX_CONCURRENT_ACTIVITIES: activity slots per worker. */
  SCENEGATE_MAX_CONCURRENT_ACTIVITIES: positiveInt('a positive whole number').default(50),
  /**
   * SCENEGATE_REFERENCE_ROOTS: folders local reference images may come from (path list); a
   * production worker's working folder, or the checkout and the home folder for `npm start`/`npm run dev` and the CLI.
   */
  SCENEGATE_REFERENCE_ROOTS: z.string().optional(),
  /**
   * SCENEGATE_REFERENCE_ALLOWED_ADDRESSES: IP addresses or CIDR ranges (comma-separated) reference
   * URLs may reach although they are not public, such as an asset host on the private network or
   * a test server on 127.0.0.1; unset: public addresses only.
   */
  SCENEGATE_REFERENCE_ALLOWED_ADDRESSES: z
    .string()
    .refine((list) => list.split(',').every(isAddressOrRange), {
      error: 'IP addresses or CIDR ranges separated by commas, such as 127.0.0.1,10.1.0.0/16',
    })
    .optional(),
  /** SCENEGATE_REFERENCE_CA_FILE: a PEM file of certificate authorities trusted for reference URLs besides the system's. */
  SCENEGATE_REFERENCE_CA_FILE: file.optional(),
  /** TEMPORAL_UI_URL: the Web UI of a Temporal server you run yourself, for the links scenegate prints. */
  TEMPORAL_UI_URL: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://localhost:8233' }).optional(),
  /** SCENEGATE_TEMPORAL_PORT, SCENEGATE_TEMPORAL_UI_PORT: the dev server's gRPC and Web UI ports (7233, 8233; a free one when taken). */
  SCENEGATE_TEMPORAL_PORT: port.optional(),
  SCENEGATE_TEMPORAL_UI_PORT: port.optional(),
  /** SCENEGATE_CONSOLE_HOST: the interface the review console binds (127.0.0.1; another needs SCENEGATE_CONSOLE_TOKEN). */
  SCENEGATE_CONSOLE_HOST: z.string().min(1, { error: 'a host name or address' }).default('127.0.0.1'),
  /** SCENEGATE_CONSOLE_PORT: the review console's port (8240; 0 picks a free one). */
  SCENEGATE_CONSOLE_PORT: port.default(8240),
  /** SCENEGATE_CONSOLE_TOKEN: the access token the console asks for (`?token=` once, then a cookie); unset: none. */
  SCENEGATE_CONSOLE_TOKEN: z.string().min(16, { error: 'a token of at least 16 characters' }).optional(),
  /**
   * SCENEGATE_CONSOLE_URL: the console's address as people reach it, for the links in the CLI, the
   * Web UI's current details and notifications; the local console's own address when unset.
   */
  SCENEGATE_CONSOLE_URL: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL such as http://127.0.0.1:8240' })
    .optional(),
  /**
   * SCENEGATE_NOTIFY_URL: where a JSON message (Slack-compatible `text` plus fields) is POSTed when
   * a generation starts waiting for a person, money or an operator, and when it ends; unset: none.
   */
  SCENEGATE_NOTIFY_URL: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL such as https://hooks.slack.com/services/…' })
    .optional(),
  /** SCENEGATE_METRICS_ADDRESS: `host:port` where a worker serves Prometheus metrics (Temporal's and scenegate's); unset: none. */
  SCENEGATE_METRICS_ADDRESS: z
    .string()
    .regex(/^[\w.\-:[\]]+:\d+$/, { error: 'host:port, such as 0.0.0.0:9464' })
    .optional(),
  /**
   * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: an OpenTelemetry collector
   * (OTLP over HTTP); either one turns tracing on: a generation, its activities and their
   * Replicate calls as one trace. OTEL_SERVICE_NAME names the worker (`scenegate-worker`).
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL such as http://collector:4318' })
    .optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL such as http://collector:4318/v1/traces' })
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1, { error: 'a service name' }).default('scenegate-worker'),
  /** SCENEGATE_WORKFLOW_BUNDLE: a workflow bundle built with this code (`npm run build` writes them); unset: the one beside the worker, or one made at start. */
  SCENEGATE_WORKFLOW_BUNDLE: file.optional(),
  /** TEMPORAL_CLI_PATH: a `temporal` executable to use instead of finding or building one. */
  TEMPORAL_CLI_PATH: file.optional(),
  /** FFMPEG_PATH, FFPROBE_PATH: the media tools; the ones @ffmpeg-installer ships, else PATH. */
  FFMPEG_PATH: file.optional(),
  FFPROBE_PATH: file.optional(),
  /**
   * SCENEGATE_VISION_IDLE_SEC: seconds the `vision` scorer's process (media/vision/scorer-main.ts)
   * stays up with its models loaded after its last score (120); then it exits and gives its
   * 400-500 MB back, and the next score loads the models again (about 1.5 s).
   */
  SCENEGATE_VISION_IDLE_SEC: positiveInt('a positive whole number of seconds').default(120),
  /** SCENEGATE_DEBUG: `1` prints the stack of an unexpected error. */
  SCENEGATE_DEBUG: z
    .enum(['', '0', '1', 'true', 'false'], { error: '1 or 0' })
    .optional()
    .transform((v) => v === '1' || v === 'true'),
  /** XDG_CACHE_HOME, LOCALAPPDATA: the platform's cache folders, under which SCENEGATE_CACHE_DIR defaults. */
  XDG_CACHE_HOME: folder.optional(),
  LOCALAPPDATA: folder.optional(),
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
  // Replicate posts webhooks to https URLs only: an http one would leave every hosted run on timed reads, unsaid
  if (parsed.success && parsed.data.REPLICATE_API_TOKEN && parsed.data.SCENEGATE_WEBHOOK_URL?.startsWith('http:')) {
    throw new SettingsError(
      'SCENEGATE_WEBHOOK_URL',
      'an https URL when REPLICATE_API_TOKEN is set (hosted Replicate posts webhooks to https only)',
      env.SCENEGATE_WEBHOOK_URL
    );
  }
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  throw new SettingsError(variable, issue?.message ?? 'a valid value', env[variable]);
}

/**
 * The folders local reference images may be read from: SCENEGATE_REFERENCE_ROOTS, else
 * `fallback` (a production worker's: the folder it runs in).
 */
export function referenceRoots(
  settings: Pick<Settings, 'SCENEGATE_REFERENCE_ROOTS'>,
  fallback: readonly string[] = [process.cwd()]
): string[] {
  const roots = settings.SCENEGATE_REFERENCE_ROOTS?.split(path.delimiter) ?? fallback;
  return roots.filter(Boolean).map((p) => path.resolve(p));
}

/**
 * The fallback roots of the worker `npm start` and `npm run dev` run, which reads the files of
 * the person at the keyboard: the checkout (its examples) and their home folder, where their own
 * plans and images live. The CLI checks plans against the same, so what it accepts that worker reads.
 */
export function ownMachineReferenceRoots(): string[] {
  return [path.resolve(import.meta.dirname, '..'), os.homedir()];
}
