import { createRequire } from 'node:module';
import type * as Undici from 'undici';

let loaded: typeof Undici | undefined;

/**
 * undici, loaded on first use: importing it costs about 100 ms (more on a
 * busy machine), which every CLI command that never talks to a source
 * (status, migrate, list…) would otherwise pay at start-up.
 */
export function undici(): typeof Undici {
  loaded ??= createRequire(import.meta.url)('undici') as typeof Undici;
  return loaded;
}
