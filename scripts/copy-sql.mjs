#!/usr/bin/env node
// Copies the .sql files that src/ loads at run time next to the compiled code.
import { cpSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.sql')) {
      const target = path.join(root, 'dist', path.relative(path.join(root, 'src'), full));
      mkdirSync(path.dirname(target), { recursive: true });
      cpSync(full, target);
    }
  }
}
walk(path.join(root, 'src'));
