import { condition } from '@temporalio/workflow';
import type { SceneAttempts } from './rules/scene-attempts';

/** Waits until the strategy lets the scene's next prediction start (its first one already may); false when the generation stopped. */
export async function takeSlot(attempts: SceneAttempts, id: string): Promise<boolean> {
  attempts.needsSlot(id);
  await condition(() => attempts.slotOf(id) === 'running' || attempts.stop !== null);
  return attempts.stop === null;
}
