import path from 'node:path';
import { projectRoot } from '../../common/paths';
import { writeWorkflowBundle } from '../../worker/bundle';

/** What test workers run: the production workflows and the test-only harness (test/workflows). */
const testWorkflowsPath = path.join(projectRoot, 'test', 'workflows', 'index.ts');

/** Bundles the test workflows into `outFile`; the production bundle never carries the harness. */
export function writeTestWorkflowBundle(outFile: string): Promise<{ codePath: string }> {
  return writeWorkflowBundle(outFile, { workflowsPath: testWorkflowsPath });
}
