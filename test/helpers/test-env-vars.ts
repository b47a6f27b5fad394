/** How `npm test` (test/run.ts) tells each test file about the shared server and bundle. */
export const testEnvVars = {
  address: 'SCENEGATE_TEST_TEMPORAL_ADDRESS',
  namespace: 'SCENEGATE_TEST_TEMPORAL_NAMESPACE',
  bundle: 'SCENEGATE_TEST_WORKFLOW_BUNDLE',
  /** The same workflows with tracing's interceptors, for workers that trace. */
  tracedBundle: 'SCENEGATE_TEST_TRACED_WORKFLOW_BUNDLE',
} as const;
