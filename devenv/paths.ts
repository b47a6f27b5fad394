import os from 'node:os';
import path from 'node:path';

/** The project's root folder (this file sits one level below it). */
export const projectRoot = path.resolve(import.meta.dirname, '..');

/**
 * The git-ignored folder for local state: the dev server's SQLite file, its log,
 * generated clips and final videos. `SCENEGATE_STATE_DIR` moves it.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.SCENEGATE_STATE_DIR ?? path.join(projectRoot, '.scenegate'));
}

/**
 * The user's cache folder, shared by every clone on the machine, so the Temporal CLI
 * is built once per machine rather than once per checkout.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SCENEGATE_CACHE_DIR) return path.resolve(env.SCENEGATE_CACHE_DIR);
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Caches', 'scenegate');
    case 'win32':
      return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'scenegate', 'Cache');
    default:
      return path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'scenegate');
  }
}
