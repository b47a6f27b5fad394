import type { PreparedReference, RenewReferencesResult } from '../../schema/activities';

/**
 * How long before its URL expires a reference is uploaded again, beyond the attempt's own time:
 * a prediction may sit in `starting` until its `Cancel-After` (`timeouts.sceneAttempt`) before the
 * model fetches its references, and a CLIP score of its clip follows.
 */
export const RENEWAL_LEAD_MS = 15 * 60_000;

/**
 * The references a create made now could find expired before its model reads them: those whose
 * URL expires within `attemptMs` (the plan's `timeouts.sceneAttempt`) plus `RENEWAL_LEAD_MS`.
 * References without an expiry (https sources, runs prepared before it was kept) never are.
 */
export function expiringReferences(
  references: readonly PreparedReference[],
  now: number,
  attemptMs: number
): PreparedReference[] {
  return references.filter((r) => expiresWithin(r.expiresAt, now, attemptMs));
}

/** True when a URL expiring at `expiresAt` could be gone before a model given it now reads it; never when unknown. */
export function expiresWithin(expiresAt: number | undefined, now: number, attemptMs: number): boolean {
  return expiresAt !== undefined && expiresAt - now < attemptMs + RENEWAL_LEAD_MS;
}

/** The references with each renewed URL (and its expiry) in place of the old one; the others unchanged. */
export function withRenewed(
  references: readonly PreparedReference[],
  renewed: RenewReferencesResult['renewed']
): PreparedReference[] {
  return references.map((r) => {
    const fresh = renewed.find((n) => n.from === r.url);
    if (!fresh) return r;
    const { expiresAt: _old, ...rest } = r;
    return { ...rest, url: fresh.url, ...(fresh.expiresAt !== undefined ? { expiresAt: fresh.expiresAt } : {}) };
  });
}
