import { condition, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { Generation } from './rules/generation';
import {
  generationCostUsdKey,
  generationScenesDoneKey,
  generationScenesTotalKey,
  generationStatusKey,
} from '../schema/search-attributes';
import { currentDetails } from './rules/status';

/**
 * Publishes a generation's progress where operators look: the Generation* search attributes
 * (written only when status, scenes done or money spent changed, since each write is an event
 * in history) and the Web UI's current details.
 */
export class ProgressPublisher {
  private last = '';

  /** The attributes every generation has from its first task. */
  start(scenes: number): void {
    upsertSearchAttributes([
      { key: generationStatusKey, value: 'preparing' },
      { key: generationScenesTotalKey, value: scenes },
      { key: generationScenesDoneKey, value: 0 },
      { key: generationCostUsdKey, value: 0 },
    ]);
  }

  /** Writes what changed since the last time. */
  publish(gen: Generation): void {
    const progress = gen.progress();
    const attributes = [progress.status, progress.totals.done, progress.budget.spentUsd].join('|');
    if (attributes !== this.last) {
      this.last = attributes;
      upsertSearchAttributes([
        { key: generationStatusKey, value: progress.status },
        { key: generationScenesDoneKey, value: progress.totals.done },
        { key: generationCostUsdKey, value: progress.budget.spentUsd },
      ]);
    }
    setCurrentDetails(currentDetails(progress));
  }

  /** Publishes after every activation that changed the generation, once however many changes it made. */
  async follow(gen: Generation): Promise<never> {
    for (;;) {
      const seen = gen.version;
      this.publish(gen);
      await condition(() => gen.version !== seen);
    }
  }

  /** A plan that failed validation still lists as a failed generation with its scene count. */
  invalidPlan(scenes: number): void {
    upsertSearchAttributes([
      { key: generationStatusKey, value: 'failed' },
      { key: generationScenesTotalKey, value: scenes },
      { key: generationScenesDoneKey, value: 0 },
      { key: generationCostUsdKey, value: 0 },
    ]);
  }
}
