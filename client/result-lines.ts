import type { Storage } from '../common/storage/storage';
import type { GenerationResult } from '../schema/progress';

/** How long the video links printed for people last, when the storage is a bucket. */
const LINK_LIFETIME_SEC = 24 * 3600;

/**
 * A finished generation for people: where to open the video and the contact sheet (a file path
 * for a folder, a presigned URL for a bucket), its cost, and the scenes it went without.
 */
export async function resultLines(result: GenerationResult, storage: Storage): Promise<string[]> {
  const [video, sheet] = await Promise.all([
    storage.location(result.videoPath, LINK_LIFETIME_SEC),
    storage.location(result.contactSheetPath, LINK_LIFETIME_SEC),
  ]);
  return [
    `  video          ${video} (${result.durationSec.toFixed(1)} s)`,
    `  contact sheet  ${sheet}`,
    `  cost           $${result.costUsd.toFixed(2)} of $${result.limitUsd.toFixed(2)}`,
    ...(result.failedScenes.length ? [`  failed scenes  ${result.failedScenes.join(', ')}`] : []),
    ...(result.skippedScenes.length ? [`  skipped scenes ${result.skippedScenes.join(', ')}`] : []),
    ...(result.driftedScenes.length
      ? [`  drifted scenes ${result.driftedScenes.join(', ')} (below the consistency threshold)`]
      : []),
  ];
}
