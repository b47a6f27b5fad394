/** The Web UI page of one workflow. */
export function workflowUiUrl(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The review console's page of one generation. */
export function consolePageUrl(consoleUrl: string, generationId: string): string {
  return `${consoleUrl.replace(/\/+$/, '')}/generations/${encodeURIComponent(generationId)}`;
}
