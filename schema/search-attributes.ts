import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Lifecycle status of a generation, e.g. `running`, `awaiting_budget`, `succeeded`. */
export const generationStatusKey = defineSearchAttributeKey('GenerationStatus', SearchAttributeType.KEYWORD);
/** Scenes finished with a clip (skipped scenes are not counted). */
export const generationScenesDoneKey = defineSearchAttributeKey('GenerationScenesDone', SearchAttributeType.INT);
/** Scenes in the plan. */
export const generationScenesTotalKey = defineSearchAttributeKey('GenerationScenesTotal', SearchAttributeType.INT);
/** Money spent so far on paid attempts, in US dollars. */
export const generationCostUsdKey = defineSearchAttributeKey('GenerationCostUsd', SearchAttributeType.DOUBLE);

/**
 * Every custom search attribute scenegate writes. The dev server registers these at start,
 * and `registerSearchAttributes` adds them to an existing server.
 */
export const searchAttributeKeys = [
  generationStatusKey,
  generationScenesDoneKey,
  generationScenesTotalKey,
  generationCostUsdKey,
] as const;
