/**
 * Variables a tool scenegate starts (the Temporal dev server, esbuild) may see: where programs,
 * home and temporary files are, and the locale. Everything else stays in this process; the
 * environment holds the Replicate token, the S3 keys and the console token, and a child needs
 * none of them.
 */
const ALLOWED = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'TMP', 'TEMP', 'TZ', 'LANG', 'SYSTEMROOT']);
const ALLOWED_PREFIXES = ['LC_'];

/** The allow-listed part of `env`, for a child process. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name, value]) =>
        value !== undefined && (ALLOWED.has(name) || ALLOWED_PREFIXES.some((prefix) => name.startsWith(prefix)))
    )
  );
}
