export { generateVideo } from './generate-video';
export { harnessWorkflow } from './harness';
