import { odoo } from './odoo/definition.js';
import { shopify } from './shopify/definition.js';
import { SourceRegistry } from './source-registry.js';
import { woocommerce } from './woocommerce/definition.js';

/**
 * The sources this program syncs, one line each. Adding a source: a folder
 * `src/adapters/<source>/` whose `definition.ts` exports a SourceDefinition,
 * and its line here (README §Adding a source). Everything else — its queue,
 * `SYNC_CONCURRENCY_<TYPE>`, the connection schema, the CLI flags, the
 * OpenAPI body — follows from the definition.
 */
// prettier-ignore
export const sources = [
  woocommerce,
  odoo,
  shopify,
] as const;

/** The type of a built-in source (`woocommerce | odoo | shopify`). */
export type BuiltInSourceType = (typeof sources)[number]['type'];

/** The built-in sources, with their lookups. */
export const builtInSources = new SourceRegistry(sources);
