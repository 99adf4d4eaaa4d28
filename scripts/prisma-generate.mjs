#!/usr/bin/env node
// Generates the Prisma client with no network access.
//
// `prisma generate` with the `prisma-client` generator needs no native query
// engine (the client is TypeScript + WebAssembly over `pg`), but the CLI still
// checks that a schema engine file exists and tries to download one when it
// does not. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips the
// download. A real engine, when the user has one, is respected.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = fileURLToPath(import.meta.url);
}
const args = process.argv.slice(2);
const result = spawnSync(
  process.execPath,
  [`${root}/node_modules/prisma/build/index.js`, 'generate', ...args],
  { cwd: root, env, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
