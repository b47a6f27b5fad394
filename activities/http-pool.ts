import { Agent } from 'undici';

/**
 * The one pool of HTTP connections for the activities' calls to Replicate's API and downloads
 * of its outputs (with the emulator, the same host): its own rather than the global dispatcher,
 * which importing undici may set for the global fetch.
 */
export const httpPool = new Agent();
