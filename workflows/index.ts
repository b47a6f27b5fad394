export { generateVideo } from './generate-video';
