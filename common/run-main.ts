import { CatalogueError } from './catalogue-file';
import { loadSettings, SettingsError } from './settings';
import { TemporalUnreachableError } from './temporal-connection';

/** Exit codes every scenegate command shares. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  invalidInput: 2,
  notFound: 3,
  generationFailed: 4,
  temporalUnreachable: 5,
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
  try {
    const code = await body();
    process.exitCode = code ?? ExitCode.ok;
  } catch (err) {
    if (debugEnabled()) console.error(err);
    console.error(`scenegate: ${(err as Error).message}`);
    process.exitCode = exitCodeOf(err);
  }
}
