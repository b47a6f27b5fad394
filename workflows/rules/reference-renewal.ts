import type { PreparedReference, RenewReferencesResult } from '../../schema/activities';
import { durationMs } from '../../schema/plan';
import type { GenerationParts } from './generation-parts';
import { expiringReferences } from './reference-expiry';

/** The references uploaded again before their URLs expire, one renewal at a time for the whole generation. */
export class ReferenceRenewal {
  /** True while references are uploaded again: another scene waits for their new URLs instead of renewing them too. */
  busy = false;

  constructor(private readonly g: Pick<GenerationParts, 'plan' | 'prepared' | 'now' | 'renewReferences'>) {}

  /** The references whose URLs could expire before an attempt begun now has its clip (`expiringReferences`). */
  expiring(): PreparedReference[] {
    const attemptMs = durationMs(this.g.plan.timeouts.sceneAttempt);
    return expiringReferences(this.g.prepared().references, this.g.now(), attemptMs);
  }

  /** References were uploaded again: every later attempt sends their new URLs. */
  renewed(renewed: RenewReferencesResult['renewed']): void {
    this.g.renewReferences(renewed);
  }
}
