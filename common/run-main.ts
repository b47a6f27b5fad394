import { NamespaceNotFoundError } from '@temporalio/common';
import { CatalogueError } from './catalogue-file';
import { loadSettings, SettingsError } from './settings';
import { namespaceNotFound, TemporalUnreachableError } from './temporal-connection';

/** Exit codes every scenegate command shares. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  invalidInput: 2,
  notFound: 3,
  generationFailed: 4,
  /** Temporal cannot be reached, or has no namespace of the configured name. */
  temporalUnreachable: 5,
  /** An operator action on a generation that has already ended: nothing was sent. */
  alreadyEnded: 6,
  /** Ctrl-C (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

/** An error already phrased for a person, with the exit code it maps to. */
export class UserFacingError extends Error {
  override readonly name = 'UserFacingError';
  constructor(
    message: string,
    readonly exitCode: number
  ) {
    super(message);
  }
}

function exitCodeOf(err: unknown): number {
  if (err instanceof UserFacingError) return err.exitCode;
  if (err instanceof SettingsError || err instanceof CatalogueError) return ExitCode.invalidInput;
  if (err instanceof TemporalUnreachableError) return ExitCode.temporalUnreachable;
  return ExitCode.failure;
}

function debugEnabled(): boolean {
  try {
    return loadSettings().SCENEGATE_DEBUG;
  } catch {
    return false;
  }
}

/**
 * Runs a command's body and turns what it throws into one line on stderr and an exit code,
 * never a stack trace (set SCENEGATE_DEBUG=1 to see one).
 */
export async function runMain(body: () => Promise<void | number>): Promise<void> {
  // a reader that went away (`scenegate list | head`) ends the command quietly, as other tools end
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok);
  });
  try {
    const code = await body();
    process.exitCode = code ?? ExitCode.ok;
  } catch (thrown) {
    if (debugEnabled()) console.error(thrown);
    // any call may be the first to meet a missing namespace, since connecting does not check it
    const err = thrown instanceof NamespaceNotFoundError ? namespaceNotFound(thrown) : thrown;
    console.error(`scenegate: ${(err as Error).message}`);
    process.exitCode = exitCodeOf(err);
  }
}
