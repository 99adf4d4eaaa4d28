import { z } from 'zod';
import { ErrorCodes, SyncWorkerError } from '../../errors.js';
import { extraSetting, requiredString } from '../definition-fields.js';
import { defineSource } from '../source-definition.js';

/** The Shopify Admin API version pinned when a connection names none. */
export const DEFAULT_SHOPIFY_API_VERSION = '2025-10';

/** Shopify Admin GraphQL API; the rate budget counts the shop's cost points. */
export const shopify = defineSource({
  type: 'shopify',
  label: 'Shopify',
  queueName: 'sync-shopify',
  defaultConcurrency: 2,
  entities: ['customer', 'product', 'order', 'inventory', 'category'],
  credentials: z.object({ token: requiredString('Shopify Admin API access token') }),
  settings: z
    .object({
      /** The Admin API version (`2025-10`). @defaultValue DEFAULT_SHOPIFY_API_VERSION */
      apiVersion: z
        .string()
        .regex(/^(\d{4}-\d{2}|unstable)$/, 'must be a dated API version like 2025-10')
        .default(DEFAULT_SHOPIFY_API_VERSION),
    })
    .catchall(extraSetting),
  cliFlags: [{ flag: '--token <token>', path: 'credentials.token', help: 'Shopify Admin API access token' }],
  // The smallest bucket Shopify documents (1,000 points restoring 50/s) until the shop's own
  // throttleStatus says otherwise.
  rateBudget: { unit: 'cost', defaultCapacity: 1000, defaultRestorePerSecond: 50 },
  create: () => {
    // Placeholder until the Shopify adapter lands (issue 6 item 4).
    throw new SyncWorkerError(ErrorCodes.ADAPTER_NOT_FOUND, 'the Shopify adapter is not built yet');
  },
});
