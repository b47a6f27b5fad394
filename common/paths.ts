import os from 'node:os';
import path from 'node:path';
import type { Settings } from './settings';

/** The project's root folder (this file sits one level below it). */
export const projectRoot = path.resolve(import.meta.dirname, '..');

/**
 * The git-ignored folder for local state: the dev server's SQLite file, its log,
 * generated clips and final videos. `SCENEGATE_STATE_DIR` moves it.
 */
export function stateDir(settings: Pick<Settings, 'SCENEGATE_STATE_DIR'>): string {
  return path.resolve(settings.SCENEGATE_STATE_DIR ?? path.join(projectRoot, '.scenegate'));
}

/** Where a worker keeps references, clips and videos. `SCENEGATE_STORAGE_DIR` moves it. */
export function storageDir(settings: Pick<Settings, 'SCENEGATE_STATE_DIR' | 'SCENEGATE_STORAGE_DIR'>): string {
  return path.resolve(settings.SCENEGATE_STORAGE_DIR ?? path.join(stateDir(settings), 'storage'));
}

/**
 * The user's cache folder, shared by every clone on the machine, so the Temporal CLI
 * is built once per machine rather than once per checkout.
 */
export function userCacheDir(
  settings: Pick<Settings, 'SCENEGATE_CACHE_DIR' | 'XDG_CACHE_HOME' | 'LOCALAPPDATA'>
): string {
  if (settings.SCENEGATE_CACHE_DIR) return path.resolve(settings.SCENEGATE_CACHE_DIR);
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Caches', 'scenegate');
    case 'win32':
      return path.join(settings.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'scenegate', 'Cache');
    default:
      return path.join(settings.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'scenegate');
  }
}
