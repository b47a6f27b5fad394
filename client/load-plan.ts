import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadCatalogue } from '../activities/catalogue';
import { describeIssues } from '../schema/issues';
import { planSchema, type Plan, type PlanInput } from '../schema/plan';
import { ExitCode, UserFacingError } from './run-main';

/** A plan that failed validation; the message names the file and the field. */
export class InvalidPlanError extends UserFacingError {
  constructor(message: string) {
    super(message, ExitCode.invalidInput);
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
  const prefix = options.source ? `${options.source}: ` : '';
  const parsed = planSchema.safeParse(input);
  if (!parsed.success) throw new InvalidPlanError(`${prefix}${describeIssues(parsed.error)}`);
  const plan = parsed.data;
  const catalogue = loadCatalogue();
  const model = catalogue.models.find((m) => m.id === plan.model);
  if (!model) {
    throw new InvalidPlanError(
      `${prefix}model: unknown model "${plan.model}" (the catalogue has ${catalogue.models.map((m) => m.id).join(', ')})`
    );
  }
  plan.scenes.forEach((scene, i) => {
    const min = model.inputs.referenceImages.min;
    if (min > 0 && scene.entities.length === 0) {
      throw new InvalidPlanError(
        `${prefix}scenes[${i}].entities: ${plan.model} needs at least ${min} reference image(s) in every scene; name a consistency group`
      );
    }
  });
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
    throw new InvalidPlanError(`cannot read the plan file ${file}`);
  }
  let data: PlanInput;
  try {
    data = /\.ya?ml$/i.test(file) ? (YAML.parse(text) as PlanInput) : (JSON.parse(text) as PlanInput);
  } catch (err) {
    throw new InvalidPlanError(
      `${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`
    );
  }
  return validatePlan(data, { baseDir: path.dirname(path.resolve(file)), source: path.basename(file) });
}
