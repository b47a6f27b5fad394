/** What test workers run: every production workflow, and the harness only tests need. */
export { generateVideo } from '../../workflows';
export { harnessWorkflow } from './harness';
