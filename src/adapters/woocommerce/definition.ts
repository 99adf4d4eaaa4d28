import { defineSource } from '../source-definition.js';
import { WooCommerceAdapter } from './adapter.js';
import { WOO_ENTITIES } from './entities.js';
import { wooCredentialsSchema, wooSettingsSchema } from './settings.js';

/**
 * WooCommerce REST v3. The request budget defaults to 10 requests/s per
 * store (README §Rate budget): WooCommerce has no limit of its own, and 10/s
 * is what ~4 concurrent requests to a typical PHP host yield anyway, so one
 * sync is rarely held back while several syncs of one store share it
 * instead of multiplying the load.
 */
export const woocommerce = defineSource({
  type: 'woocommerce',
  label: 'WooCommerce',
  queueName: 'sync-woocommerce',
  defaultConcurrency: 2,
  entities: WOO_ENTITIES,
  credentials: wooCredentialsSchema,
  settings: wooSettingsSchema,
  cliFlags: [
    { flag: '--key <ck_…>', path: 'credentials.key', help: 'WooCommerce consumer key' },
    { flag: '--secret <cs_…>', path: 'credentials.secret', help: 'WooCommerce consumer secret' },
    {
      flag: '--auth-mode <mode>',
      path: 'settings.authMode',
      help: 'WooCommerce auth: basic | oauth1 | query (default: by URL scheme)',
    },
  ],
  rateBudget: { unit: 'requests', defaultPerSecond: 10 },
  create: (context) => new WooCommerceAdapter(context),
});
