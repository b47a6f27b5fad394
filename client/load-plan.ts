import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadCatalogue } from '../common/catalogue-file';
import { loadSettings } from '../common/settings';
import { modelProblems } from '../schema/plan-model-check';
import { listIssues } from '../schema/issues';
import { planSchema, type Plan, type PlanInput } from '../schema/plan';
import { ExitCode, UserFacingError } from '../common/run-main';

/** A plan that failed validation; the message names the file and every field at fault, one per line. */
export class InvalidPlanError extends UserFacingError {
  constructor(
    readonly problems: readonly string[],
    readonly source?: string
  ) {
    const prefix = source ? `${source}: ` : '';
    super(
      problems.length === 1
        ? `${prefix}${problems[0]}`
        : `${prefix}${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      ExitCode.invalidInput
    );
  }
}

/** A fresh generation id: sortable by time, unique enough for one person's runs. */
export function newGenerationId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `gen-${stamp}-${crypto.randomBytes(2).toString('hex')}`;
}

/**
 * A local reference next to the plan becomes absolute, since the worker may run elsewhere; any
 * other relative path is left for the worker, which looks it up in its reference roots.
 */
function resolveReference(ref: string, baseDir: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || path.isAbsolute(ref)) return ref;
  const beside = path.resolve(baseDir, ref);
  return fs.existsSync(beside) ? beside : ref;
}

/**
 * Validates a plan as the workflow will, and more: the model must be in the catalogue, and a
 * model that needs references must get some in every scene. Relative reference paths found
 * under `baseDir` (the plan file's folder) are made absolute.
 *
 * @throws InvalidPlanError naming the field, e.g. `scenes[2].entities[0]: unknown consistency group "heroo"`.
 */
export function validatePlan(
  input: unknown,
  options: { baseDir?: string; source?: string } = {}
): Plan & { generationId: string } {
  const parsed = planSchema.safeParse(input);
  if (!parsed.success) throw new InvalidPlanError(listIssues(parsed.error), options.source);
  const plan = parsed.data;
  const problems = modelProblems(plan, loadCatalogue(loadSettings()));
  if (problems.length > 0) throw new InvalidPlanError(problems, options.source);
  const baseDir = options.baseDir ?? process.cwd();
  return {
    ...plan,
    generationId: plan.generationId ?? newGenerationId(),
    consistencyGroups: plan.consistencyGroups.map((group) => ({
      ...group,
      referenceImages: group.referenceImages.map((ref) => resolveReference(ref, baseDir)),
    })),
  };
}

/** Reads a plan file (JSON, or YAML by extension) and validates it. */
export async function loadPlanFile(file: string): Promise<Plan & { generationId: string }> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch {
    throw new InvalidPlanError([`cannot read the plan file ${file}`]);
  }
  let data: PlanInput;
  try {
    data = /\.ya?ml$/i.test(file) ? (YAML.parse(text) as PlanInput) : (JSON.parse(text) as PlanInput);
  } catch (err) {
    throw new InvalidPlanError([
      `${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    ]);
  }
  return validatePlan(data, { baseDir: path.dirname(path.resolve(file)), source: path.basename(file) });
}
