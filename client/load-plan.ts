import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadCatalogue } from '../common/catalogue-file';
import {
  IMAGE_MAGIC_BYTES,
  IMAGE_TYPE_NAMES,
  imageTypeOf,
  isRemoteReference,
  locateReference,
  ReferenceFileError,
} from '../common/reference-file';
import { loadSettings, ownMachineReferenceRoots, referenceRoots } from '../common/settings';
import { modelProblems } from '../schema/plan-model-check';
import { listIssues } from '../schema/issues';
import { planSchema, withoutEditorSchema, type Plan, type PlanInput } from '../schema/plan';
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
  if (isRemoteReference(ref) || path.isAbsolute(ref)) return ref;
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
  const parsed = planSchema.safeParse(withoutEditorSchema(input));
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

async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(IMAGE_MAGIC_BYTES), 0, IMAGE_MAGIC_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Every local reference image a worker on this machine could not use, one problem per field:
 * not found, outside `roots`, not a file or not an image, looked up as the worker does. URLs are
 * left to the worker, which fetches them.
 */
export async function referenceProblems(
  plan: Pick<Plan, 'consistencyGroups'>,
  roots: readonly string[]
): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, group] of plan.consistencyGroups.entries()) {
    for (const [j, source] of group.referenceImages.entries()) {
      if (isRemoteReference(source)) continue;
      const field = `consistencyGroups[${i}].referenceImages[${j}]`;
      try {
        const head = await readHead(await locateReference(source, roots));
        if (!imageTypeOf(head)) problems.push(`${field}: ${source} is not a ${IMAGE_TYPE_NAMES} image`);
      } catch (err) {
        problems.push(
          `${field}: ${err instanceof ReferenceFileError ? err.detail : `cannot read ${source} (${(err as Error).message})`}`
        );
      }
    }
  }
  return problems;
}

/**
 * Reads a plan file (JSON, or YAML by extension), validates it and checks its local reference
 * images against the reference roots of a worker on this machine (SCENEGATE_REFERENCE_ROOTS, else
 * the checkout and the home folder, as `npm run dev`'s worker reads them), so a missing or wrong
 * image is refused before anything starts.
 *
 * @throws InvalidPlanError naming every field at fault.
 */
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
  const source = path.basename(file);
  const plan = validatePlan(data, { baseDir: path.dirname(path.resolve(file)), source });
  const problems = await referenceProblems(plan, referenceRoots(loadSettings(), ownMachineReferenceRoots()));
  if (problems.length > 0) throw new InvalidPlanError(problems, source);
  return plan;
}
