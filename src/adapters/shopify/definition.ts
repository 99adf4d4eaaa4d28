import { z } from 'zod';
import { requiredString } from '../definition-fields.js';
import { defineSource } from '../source-definition.js';
import { ShopifyAdapter } from './adapter.js';
import { SHOPIFY_ENTITY_TYPES } from './entities.js';
import { shopifySettingsSchema } from './settings.js';

export { DEFAULT_SHOPIFY_API_VERSION } from './api-version.js';

/**
 * Shopify Admin GraphQL API (README §Shopify source); the rate budget counts
 * the shop's cost points.
 */
export const shopify = defineSource({
  type: 'shopify',
  label: 'Shopify',
  queueName: 'sync-shopify',
  defaultConcurrency: 2,
  entities: SHOPIFY_ENTITY_TYPES,
  credentials: z.object({ token: requiredString('Shopify Admin API access token') }),
  settings: shopifySettingsSchema,
  cliFlags: [{ flag: '--token <token>', path: 'credentials.token', help: 'Shopify Admin API access token' }],
  // The smallest bucket Shopify documents (1,000 points restoring 50/s) until the shop's own
  // throttleStatus says otherwise.
  rateBudget: { unit: 'cost', defaultCapacity: 1000, defaultRestorePerSecond: 50 },
  create: (context) => new ShopifyAdapter(context),
});
