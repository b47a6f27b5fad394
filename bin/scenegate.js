#!/usr/bin/env node
// scenegate runs its TypeScript directly through tsx; no build step.
import { register } from 'tsx/esm/api';

register();
// `temporal` is dispatched here rather than in the CLI: finding (or building) the Temporal CLI is
// devenv/ work, which the client layer may not import
if (process.argv[2] === 'temporal') await import('../devenv/temporal-passthrough.ts');
else await import('../client/cli.ts');
