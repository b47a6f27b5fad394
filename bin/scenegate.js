#!/usr/bin/env node
// scenegate runs its TypeScript directly through tsx; no build step.
import { register } from 'tsx/esm/api';

register();
await import('../client/cli.ts');
