import type { Catalogue } from './catalogue';

/**
 * What the plan asks of its model that the catalogue says the model cannot do, as
 * `field: problem` lines: an unknown model, or a scene with fewer reference images than the
 * model needs. The client runs it before starting; the workflow's preparation runs it again
 * (the `temporal` CLI and the Web UI start plans no client checked) before anything is paid.
 */
export function modelProblems(
  plan: {
    model?: string;
    scenes: readonly { entities: readonly string[] }[];
    consistencyGroups: readonly { id: string; referenceImages: readonly string[] }[];
  },
  catalogue: Catalogue
): string[] {
  // a plan without a model gets the catalogue's default where the worker runs; the worker checks it then
  if (plan.model === undefined) return [];
  const model = catalogue.models.find((m) => m.id === plan.model);
  if (!model) {
    return [`model: unknown model "${plan.model}" (the catalogue has ${catalogue.models.map((m) => m.id).join(', ')})`];
  }
  const min = model.inputs.referenceImages.min;
  if (min === 0) return [];
  const images = new Map(plan.consistencyGroups.map((g) => [g.id, g.referenceImages.length]));
  return plan.scenes.flatMap((scene, i) => {
    const count = scene.entities.reduce((n, e) => n + (images.get(e) ?? 0), 0);
    return count >= min
      ? []
      : [
          `scenes[${i}].entities: ${plan.model} needs at least ${min} reference image${min > 1 ? 's' : ''} in every scene; name a consistency group`,
        ];
  });
}
