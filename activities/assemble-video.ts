import fs from 'node:fs/promises';
import { assembleVideoInputSchema, type AssembleVideoInput, type AssembleVideoResult } from '../schema/activities';
import { assembleVideo } from '../media/assemble';
import { makeContactSheet } from '../media/contact-sheet';
import { whileHeartbeating } from './heartbeat';
import { parseInput } from './parse-input';
import { keyFor, type Storage } from '../common/storage/storage';

/**
 * Builds the `assembleVideo` activity: joins the clips in scene order into the final MP4 and
 * writes a contact sheet (a frame of every scene beside the references) for a person to check.
 */
export function makeAssembleVideo(deps: { storage: Storage }) {
  const { storage } = deps;
  return async function assembleVideoActivity(raw: AssembleVideoInput): Promise<AssembleVideoResult> {
    const input = parseInput(assembleVideoInputSchema, raw, 'assembleVideo');
    const videoKey = keyFor(input.generationId, 'final.mp4');
    const sheetKey = keyFor(input.generationId, 'contact-sheet.png');
    // clips made by other workers come from the storage first
    const clips = await whileHeartbeating('fetching the clips', () =>
      Promise.all(input.clips.map(async (c) => ({ sceneId: c.sceneId, path: await storage.localFile(c.path) })))
    );
    const seen = new Set<string>();
    const references = await Promise.all(
      input.references
        .filter((r) => !seen.has(r.sha256) && seen.add(r.sha256))
        .map(async (r) => ({ label: r.groupId, path: await storage.localFile(r.localPath) }))
    );
    const videoFile = await storage.scratchFile(videoKey);
    const sheetFile = await storage.scratchFile(sheetKey);
    try {
      const video = await whileHeartbeating('joining the clips', () =>
        assembleVideo({ clips: clips.map((c) => c.path), outputPath: videoFile })
      );
      await whileHeartbeating('making the contact sheet', () =>
        makeContactSheet({ clips, referencePaths: references, outputPath: sheetFile })
      );
      await whileHeartbeating('storing the video', () =>
        Promise.all([storage.putFile(videoKey, videoFile), storage.putFile(sheetKey, sheetFile)])
      );
      return {
        videoPath: videoKey,
        contactSheetPath: sheetKey,
        durationSec: video.durationSec,
        sizeBytes: video.sizeBytes,
      };
    } finally {
      await Promise.all([fs.rm(videoFile, { force: true }), fs.rm(sheetFile, { force: true })]);
    }
  };
}
