import { assembleVideoInputSchema, type AssembleVideoInput, type AssembleVideoResult } from '../schema/activities';
import { assembleVideo } from '../media/assemble';
import { makeContactSheet } from '../media/contact-sheet';
import { whileHeartbeating } from './heartbeat';
import { parseInput } from './parse-input';
import type { LocalStorage } from './storage';

/**
 * Builds the `assembleVideo` activity: joins the clips in scene order into the final MP4 and
 * writes a contact sheet (a frame of every scene beside the references) for a person to check.
 */
export function makeAssembleVideo(deps: { storage: LocalStorage }) {
  return async function assembleVideoActivity(raw: AssembleVideoInput): Promise<AssembleVideoResult> {
    const input = parseInput(assembleVideoInputSchema, raw, 'assembleVideo');
    const videoPath = deps.storage.pathFor(input.generationId, 'final.mp4');
    const contactSheetPath = deps.storage.pathFor(input.generationId, 'contact-sheet.png');
    const video = await whileHeartbeating('joining the clips', () =>
      assembleVideo({ clips: input.clips.map((c) => c.path), outputPath: videoPath })
    );
    const seen = new Set<string>();
    const references = input.references
      .filter((r) => !seen.has(r.sha256) && seen.add(r.sha256))
      .map((r) => ({ label: r.groupId, path: r.localPath }));
    await whileHeartbeating('making the contact sheet', () =>
      makeContactSheet({ clips: input.clips, referencePaths: references, outputPath: contactSheetPath })
    );
    return { videoPath, contactSheetPath, durationSec: video.durationSec, sizeBytes: video.sizeBytes };
  };
}
