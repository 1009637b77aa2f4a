#!/usr/bin/env node
// `npx meshplane` from the repository: runs the TypeScript source through tsx, no build needed.
import { register } from 'tsx/esm/api';

register();
await import('./meshplane.ts');
