export { harnessWorkflow } from './harness';
