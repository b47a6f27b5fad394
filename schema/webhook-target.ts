/**
 * The URL Replicate posts a prediction's end to: the receiver's public URL with the generation
 * (workflow id) and paid-call key in its query, so the receiver knows whom to signal without a
 * lookup, and a retried create can recognise its own prediction by it.
 */
export function webhookUrlFor(base: string, workflowId: string, key: string): string {
  const url = new URL(base);
  url.searchParams.set('generation', workflowId);
  url.searchParams.set('key', key);
  return url.toString();
}

/** The generation and paid-call key a webhook URL names, or null when it names neither. */
export function webhookTargetOf(url: URL): { workflowId: string; key: string } | null {
  const workflowId = url.searchParams.get('generation');
  const key = url.searchParams.get('key');
  return workflowId && key ? { workflowId, key } : null;
}
