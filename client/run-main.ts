import { SettingsError } from '../schema/settings';
import { TemporalUnreachableError } from './connection';

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

/**
 * Runs a command's body and turns what it throws into one line on stderr and an exit code,
 * never a stack trace (set SCENEGATE_DEBUG=1 to see one).
 */
export async function runMain(body: () => Promise<void | number>): Promise<void> {
  try {
    const code = await body();
    process.exitCode = code ?? ExitCode.ok;
  } catch (err) {
    const error = err as Error;
    if (process.env.SCENEGATE_DEBUG) console.error(error);
    const code =
      err instanceof UserFacingError
        ? err.exitCode
        : err instanceof SettingsError
          ? ExitCode.invalidInput
          : err instanceof TemporalUnreachableError
            ? ExitCode.temporalUnreachable
            : ExitCode.failure;
    console.error(`scenegate: ${error.message}`);
    process.exitCode = code;
  }
}
