import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { extraSetting } from '../definition-fields.js';
import { API_VERSION_PATTERN, DEFAULT_SHOPIFY_API_VERSION } from './api-version.js';

/**
 * A Shopify connection's settings (`connection add --setting k=v`, the API's
 * `settings` object), with their defaults.
 */
export const shopifySettingsSchema = z
  .object({
  /**
   * Admin API version (`2026-10`).
   * @defaultValue DEFAULT_SHOPIFY_API_VERSION
   */
  apiVersion: z
    .string()
    .regex(API_VERSION_PATTERN, 'must be a dated API version like 2026-10')
    .default(DEFAULT_SHOPIFY_API_VERSION),
  /**
   * Full syncs of at least this many records use a bulk operation instead of
   * paging: past what the shop's bucket pays at once, paging waits on the
   * restore rate, while an export costs a few seconds whatever its size
   * (measured on the fake: see the README, "Shopify source").
   * @defaultValue 250
   */
  bulkThreshold: z.coerce.number().int().min(1).default(250),
  /**
   * Largest requested cost of one paged query, in cost points; page sizes
   * shrink to fit (Shopify refuses more than 1,000 in one query).
   * @defaultValue 500
   */
  maxQueryCost: z.coerce.number().int().min(10).max(1000).default(500),
  /**
   * Milliseconds between two polls of a running bulk operation.
   * @defaultValue 2000
   */
  bulkPollIntervalMs: z.coerce.number().int().min(10).max(60_000).default(2000),
  })
  .catchall(extraSetting);

export type ShopifySettings = z.output<typeof shopifySettingsSchema>;

export function parseShopifySettings(settings: Record<string, unknown>): ShopifySettings {
  const parsed = shopifySettingsSchema.safeParse(settings);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `settings.${i.path.join('.')}: ${i.message}`);
  throw new ValidationError(`invalid Shopify connection settings: ${issues.join('; ')}`, issues);
}
