/** When references are uploaded again, and how the renewed URLs replace the old ones, without Temporal. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PreparedReference } from '../../schema/activities';
import { expiringReferences, RENEWAL_LEAD_MS, withRenewed } from '../../workflows/rules/reference-expiry';

const HOUR = 3_600_000;
const now = Date.parse('2026-12-06T00:00:00Z');
const ref = (groupId: string, url: string, expiresAt?: number): PreparedReference => ({
  groupId,
  source: `${groupId}.png`,
  url,
  localPath: `g/references/${groupId}.png`,
  sha256: groupId,
  ...(expiresAt !== undefined ? { expiresAt } : {}),
});

test('a reference is renewed when its URL would expire within an attempt plus the lead; never without an expiry', () => {
  const attemptMs = 45 * 60_000;
  const references = [
    ref('fresh', 'https://api/files/fresh', now + 24 * HOUR),
    ref('edge', 'https://api/files/edge', now + attemptMs + RENEWAL_LEAD_MS),
    ref('near', 'https://api/files/near', now + attemptMs + RENEWAL_LEAD_MS - 1),
    ref('gone', 'https://api/files/gone', now - 1),
    ref('https', 'https://example.com/https.png'),
  ];
  assert.deepEqual(
    expiringReferences(references, now, attemptMs).map((r) => r.groupId),
    ['near', 'gone']
  );
  assert.deepEqual(
    expiringReferences(references, now + 24 * HOUR, attemptMs).map((r) => r.groupId),
    ['fresh', 'edge', 'near', 'gone']
  );
});

test('renewed URLs replace every reference that had the old URL, with the new expiry; the rest stay as they were', () => {
  const shared = 'https://api/files/shared';
  const references = [ref('a', shared, now), ref('b', shared, now), ref('c', 'https://api/files/c', now)];
  const renewed = withRenewed(references, [{ from: shared, url: 'https://api/files/new', expiresAt: now + 24 * HOUR }]);
  assert.deepEqual(
    renewed.map((r) => [r.url, r.expiresAt]),
    [
      ['https://api/files/new', now + 24 * HOUR],
      ['https://api/files/new', now + 24 * HOUR],
      ['https://api/files/c', now],
    ]
  );
  const noExpiry = withRenewed([ref('a', shared, now)], [{ from: shared, url: 'https://bucket/a' }]);
  assert.equal(noExpiry[0]!.expiresAt, undefined, 'a renewal without a known expiry drops the old one');
});
