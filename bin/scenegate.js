#!/usr/bin/env node
// In a checkout the command runs the TypeScript sources through tsx, so an edit takes effect at
// once; an installed package has neither (tsx is a devDependency, the sources are not shipped)
// and runs the JavaScript `npm run build` wrote to dist/ (the package's `prepare` builds it).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const resolvable = (name) => {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
};
const checkout = fs.existsSync(path.join(import.meta.dirname, '..', 'client', 'cli.ts')) && resolvable('tsx/esm/api');
// `temporal` is dispatched here rather than in the CLI: finding (or building) the Temporal CLI is
// devenv/ work, which the client layer may not import
const temporal = process.argv[2] === 'temporal';
if (checkout) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(temporal ? '../devenv/temporal-passthrough.ts' : '../client/cli.ts');
} else {
  await import(temporal ? '../dist/temporal.js' : '../dist/scenegate.js');
}
