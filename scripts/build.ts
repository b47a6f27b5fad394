/** `npm run build`: the production build in dist/ (see devenv/production-build.ts); `node dist/worker.js` runs it. */
import { runMain } from '../common/run-main';
import { buildProduction } from '../devenv/production-build';

await runMain(async () => {
  const began = Date.now();
  const files = await buildProduction();
  console.log(
    `built dist/ in ${((Date.now() - began) / 1000).toFixed(1)} s: ${files.map((f) => `${f.file} ${f.kb} KB`).join(', ')}`
  );
});
