import { loadCatalogue } from '../common/catalogue-file';
import { checkModels, type ModelCheck } from '../common/published-schemas';
import { ExitCode, UserFacingError } from '../common/run-main';
import { EMULATOR_TOKEN, loadSettings } from '../common/settings';

const HOSTED_REPLICATE_URL = 'https://api.replicate.com/v1';

/** The check's result as the table `scenegate models check` prints, one line per finding (or per model without any). */
export function modelCheckLines(checks: readonly ModelCheck[]): string[] {
  const rows: string[][] = [['model', 'version', 'field', 'scenegate expects', 'the schema says', '']];
  for (const check of checks) {
    const version = check.version?.slice(0, 8) ?? '-';
    if (check.error) rows.push([check.model, version, '-', '-', check.error, 'UNREAD']);
    else if (check.findings.length === 0)
      rows.push([check.model, version, 'all mapped inputs', 'as recorded', 'same', 'ok']);
    for (const f of check.findings) {
      rows.push([check.model, version, f.field, f.expected, f.found, f.kind === 'catalogue' ? 'MISMATCH' : 'CHANGED']);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  );
}

/**
 * `scenegate models check [model...]`: reads each model's live schema from Replicate (with
 * REPLICATE_API_TOKEN) or from the emulator at REPLICATE_BASE_URL, and compares it with what the
 * catalogue sends and with the recorded fixture. Exits 1 when anything differs or cannot be read.
 */
export async function runModelsCheck(models: readonly string[]): Promise<void> {
  const settings = loadSettings();
  const token = settings.REPLICATE_API_TOKEN;
  const baseUrl = settings.REPLICATE_BASE_URL ?? (token ? HOSTED_REPLICATE_URL : undefined);
  if (!baseUrl) {
    throw new UserFacingError(
      'models check reads the live schemas: set REPLICATE_API_TOKEN (hosted Replicate) or REPLICATE_BASE_URL (an emulator)',
      ExitCode.invalidInput
    );
  }
  const checks = await checkModels({
    catalogue: loadCatalogue(settings),
    baseUrl: baseUrl.replace(/\/+$/, ''),
    token: token ?? EMULATOR_TOKEN,
    models,
  });
  console.log(modelCheckLines(checks).join('\n'));
  const bad = checks.filter((c) => c.error || c.findings.length > 0).length;
  if (bad)
    throw new UserFacingError(`${bad} of ${checks.length} models differ from what scenegate expects`, ExitCode.failure);
  console.log(`${checks.length} models as expected`);
}
