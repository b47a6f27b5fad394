/**
 * One score for a clip: each consistency group counts by its best-matching reference image
 * (a scene shows one view of a character, not all), and the clip by its worst group (every
 * character and product must survive, not just most of them).
 */
export function aggregateScore(perReference: readonly { groupId: string; score: number }[]): number {
  const byGroup = new Map<string, number>();
  for (const r of perReference) byGroup.set(r.groupId, Math.max(byGroup.get(r.groupId) ?? 0, r.score));
  return byGroup.size ? Math.min(...byGroup.values()) : 0;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * Each reference's score from a CLIP features prediction's output (one embedding per input
 * line): its cosine with its best frame. A reference or frame missing from the output scores 0.
 */
export function clipPerReference(
  output: unknown,
  frameUrls: readonly string[],
  references: readonly { groupId: string; url: string }[]
): { groupId: string; score: number }[] {
  const rows = Array.isArray(output) ? (output as { input?: unknown; embedding?: unknown }[]) : [];
  const embeddings = new Map(
    rows
      .filter((r) => typeof r.input === 'string' && Array.isArray(r.embedding))
      .map((r) => [r.input as string, r.embedding as number[]])
  );
  const frames = frameUrls.map((u) => embeddings.get(u)).filter((v): v is number[] => v !== undefined);
  return references.map((ref) => {
    const vector = embeddings.get(ref.url);
    return { groupId: ref.groupId, score: vector ? Math.max(0, ...frames.map((f) => cosine(f, vector))) : 0 };
  });
}

/** The consistency score from a CLIP features prediction's output: each reference against its best frame, aggregated. */
export function clipScore(
  output: unknown,
  frameUrls: readonly string[],
  references: readonly { groupId: string; url: string }[]
): number {
  return aggregateScore(clipPerReference(output, frameUrls, references));
}
