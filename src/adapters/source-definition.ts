import type { z } from 'zod';
import type { AdapterContext, SourceAdapter, SyncEntityType, SyncType } from './types.js';

/**
 * Everything the rest of the program knows about one source system, in one
 * place: `src/adapters/<source>/definition.ts` exports it and
 * `src/adapters/registry.ts` lists it (one line). The queue, the worker's
 * concurrency variable, the connection schema of the CLI and the API, the
 * CLI flags, the OpenAPI body and the rate budget are all read from here.
 */
export interface SourceDefinition<T extends SyncType = SyncType> {
  /** The `sync_type` enum value (`woocommerce`); a fourth source uses `custom` or a new enum value. */
  readonly type: T;
  /** Name in messages (`WooCommerce`). */
  readonly label: string;
  /** Its BullMQ queue (`sync-woocommerce`): no queue exists for a type without a definition. */
  readonly queueName: string;
  /** Concurrent sync jobs per worker process; `SYNC_CONCURRENCY_<TYPE>` overrides it. */
  readonly defaultConcurrency: number;
  /** Entity types this source has; the others fail ENTITY_NOT_SUPPORTED before any request. */
  readonly entities: readonly SyncEntityType[];
  /** The credentials a connection carries (validated, then encrypted at rest; decrypted only for the job). */
  readonly credentials: z.ZodType<Record<string, string>>;
  /**
   * The connection's settings, with their defaults (e.g. `rateLimitPerSecond`,
   * Shopify's `apiVersion`); unknown keys are kept as free-form JSON. Parsed
   * when the connection is created and again when a job builds the adapter
   * (`AdapterContext.settings` is the parsed value).
   */
  readonly settings: z.ZodType<Record<string, unknown>>;
  /** The flags of `sync-worker connection add` for this source. */
  readonly cliFlags: readonly CliFlag[];
  /** How the store's shared rate budget counts. */
  readonly rateBudget: RateBudgetSpec;
  /** Builds the adapter for one connection and job; may be async. Throws typed errors. */
  create(context: AdapterContext): SourceAdapter | Promise<SourceAdapter>;
}

/** One flag of `connection add`, writing one field of the connection input. */
export interface CliFlag {
  /** commander's flag with its value name: `--key <ck_…>`. */
  readonly flag: string;
  /** The field it sets: `credentials.key`, `settings.authMode`. */
  readonly path: `credentials.${string}` | `settings.${string}`;
  /** One line of `--help`. */
  readonly help: string;
}

/**
 * The unit of a store's rate budget.
 * - `requests`: at most N requests per second to the store, N from the
 *   connection setting `rateLimitPerSecond`, else `defaultPerSecond`.
 * - `cost`: a bucket of points (Shopify), shaped by the shop's own
 *   `throttleStatus` once known; until then `defaultCapacity` points
 *   restoring `defaultRestorePerSecond` per second.
 */
export type RateBudgetSpec =
  | { readonly unit: 'requests'; readonly defaultPerSecond: number }
  | { readonly unit: 'cost'; readonly defaultCapacity: number; readonly defaultRestorePerSecond: number };

/** Identity, typed: keeps the literal `type` so the registry's types are known at compile time. */
export function defineSource<const T extends SyncType>(definition: SourceDefinition<T>): SourceDefinition<T> {
  return definition;
}
