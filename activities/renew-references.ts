import fs from 'node:fs/promises';
import { imageTypeOf } from '../common/reference-file';
import {
  renewReferencesInputSchema,
  type RenewReferencesInput,
  type RenewReferencesResult,
} from '../schema/activities';
import { parseInput } from './parse-input';
import { publishReference, type ReferenceUploadDeps } from './reference-upload';

/**
 * Builds the `renewReferences` activity: each reference whose URL nears its expiry (a Files API
 * upload lives 24 hours, while a gate or budget may wait longer) is published again from the
 * copy preparation kept in scenegate's storage, once per URL. Nothing is fetched from the plan's
 * sources again: the bytes are those preparation checked.
 */
export function makeRenewReferences(deps: ReferenceUploadDeps) {
  return async function renewReferences(raw: RenewReferencesInput): Promise<RenewReferencesResult> {
    const input = parseInput(renewReferencesInputSchema, raw, 'renewReferences');
    const renewed: RenewReferencesResult['renewed'] = [];
    for (const [i, reference] of input.references.entries()) {
      if (renewed.some((r) => r.from === reference.url)) continue;
      const bytes = await fs.readFile(await deps.storage.localFile(reference.localPath));
      const mime = imageTypeOf(bytes)?.mime ?? 'application/octet-stream';
      const published = await publishReference(
        deps,
        { key: reference.localPath, mime, bytes },
        { generationId: input.generationId, groupId: reference.groupId },
        `references[${i}] (${reference.source})`
      );
      renewed.push({ from: reference.url, ...published });
    }
    return { renewed };
  };
}
