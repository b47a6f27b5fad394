import fs from 'node:fs/promises';
import { imageTypeOf } from '../common/reference-file';
import { renewKeyframeInputSchema, type RenewKeyframeInput, type RenewedKeyframe } from '../schema/activities';
import { parseInput } from './parse-input';
import { publishReference, type ReferenceUploadDeps } from './reference-upload';

/**
 * Builds `renewKeyframe`: a keyframe whose URL nears its expiry is published again, as
 * `renewReferences` does for references, from the copy `collectKeyframe` kept in storage. A
 * storyboard waits for a person as long as `gate.approvalTimeout` (a day by default), and a Files
 * API upload lives 24 hours: without this, its clip would be created from a URL already gone.
 */
export function makeRenewKeyframe(deps: ReferenceUploadDeps) {
  return async function renewKeyframe(raw: RenewKeyframeInput): Promise<RenewedKeyframe> {
    const { generationId, sceneId, attempt, key } = parseInput(renewKeyframeInputSchema, raw, 'renewKeyframe');
    const bytes = await fs.readFile(await deps.storage.localFile(key));
    const mime = imageTypeOf(bytes)?.mime ?? 'application/octet-stream';
    const published = await publishReference(
      deps,
      { key, mime, bytes },
      { generationId, sceneId, keyframe: String(attempt) },
      `scene ${sceneId} attempt ${attempt} keyframe`
    );
    return {
      modelUrl: published.url,
      ...(published.expiresAt !== undefined ? { expiresAt: published.expiresAt } : {}),
    };
  };
}
