import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { extraSetting } from '../definition-fields.js';
import { API_VERSION_PATTERN, DEFAULT_SHOPIFY_API_VERSION } from './api-version.js';

/**
 * A Shopify connection's settings (`connection add --setting k=v`, the API's
 * `settings` object). `apiVersion` is pinned into the connection when it is
 * created (a later default does not move it); the tuning settings stay unset
 * unless given, so their defaults apply when the adapter is built.
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
     * @defaultValue 250 (SHOPIFY_SETTING_DEFAULTS)
     */
    bulkThreshold: z.coerce.number().int().min(1).optional(),
    /**
     * Largest requested cost of one paged query, in cost points; page sizes
     * shrink to fit (Shopify refuses more than 1,000 in one query).
     * @defaultValue 500 (SHOPIFY_SETTING_DEFAULTS)
     */
    maxQueryCost: z.coerce.number().int().min(10).max(1000).optional(),
    /**
     * Milliseconds between two polls of a running bulk operation.
     * @defaultValue 2000 (SHOPIFY_SETTING_DEFAULTS)
     */
    bulkPollIntervalMs: z.coerce.number().int().min(10).max(60_000).optional(),
  })
  .catchall(extraSetting);

/** The defaults of the tuning settings (see the schema's TSDoc). */
export const SHOPIFY_SETTING_DEFAULTS = {
  bulkThreshold: 250,
  maxQueryCost: 500,
  bulkPollIntervalMs: 2000,
} as const;

export type ShopifySettings = Required<Pick<z.output<typeof shopifySettingsSchema>, 'apiVersion'>> & {
  bulkThreshold: number;
  maxQueryCost: number;
  bulkPollIntervalMs: number;
};

export function parseShopifySettings(settings: Record<string, unknown>): ShopifySettings {
  const parsed = shopifySettingsSchema.safeParse(settings);
  if (parsed.success) {
    const { apiVersion, bulkThreshold, maxQueryCost, bulkPollIntervalMs } = parsed.data;
    return {
      apiVersion,
      bulkThreshold: bulkThreshold ?? SHOPIFY_SETTING_DEFAULTS.bulkThreshold,
      maxQueryCost: maxQueryCost ?? SHOPIFY_SETTING_DEFAULTS.maxQueryCost,
      bulkPollIntervalMs: bulkPollIntervalMs ?? SHOPIFY_SETTING_DEFAULTS.bulkPollIntervalMs,
    };
  }
  const issues = parsed.error.issues.map((i) => `settings.${i.path.join('.')}: ${i.message}`);
  throw new ValidationError(`invalid Shopify connection settings: ${issues.join('; ')}`, issues);
}
