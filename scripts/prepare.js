// `npm run prepare`, which npm runs after `npm install` and `npm ci` in a checkout, before
// `npm pack`, and when the package is installed from a git URL: builds dist/ (the client entry,
// its types, the CLI, the worker and its prebuilt workflow bundles) so the installed package runs
// without tsx. Plain JavaScript, since it must decide whether it can build before tsx is known.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const missing = ['tsx/cli', 'esbuild', 'typescript'].filter((name) => {
  try {
    require.resolve(name);
    return false;
  } catch {
    return true;
  }
});
// the Dockerfile installs before it copies the sources, and its runtime stage omits the
// devDependencies: both build (or need no build) otherwise
if (!fs.existsSync(path.join(root, 'client', 'index.ts')) || missing.length > 0) {
  const why = missing.length > 0 ? `${missing.join(', ')} not installed` : 'no sources';
  console.error(`scenegate prepare: dist/ not built (${why}); \`npm run build\` builds it`);
  process.exit(0);
}
const build = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/build.ts'], {
  cwd: root,
  // the build's report goes to stderr: `npm pack --json` prints its answer on stdout
  stdio: ['ignore', 2, 2],
});
process.exit(build.status ?? 1);
