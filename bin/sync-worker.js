#!/usr/bin/env node
// Entry point of the `sync-worker` CLI (compiled by `npm run build`, which
// `npm ci` runs through the `prepare` script).
import { main } from '../dist/cli/main.js';

await main(process.argv);
