import { defineSource } from '../source-definition.js';
import { OdooAdapter } from './adapter.js';
import { ODOO_ENTITIES } from './entities.js';
import { odooCredentialsSchema, odooSettingsSchema } from './settings.js';

/**
 * Odoo over JSON-RPC (`/jsonrpc`, every version) or JSON-2 (`/json/2`, Odoo ≥
 * 19) as a connection setting. The request budget defaults to 10 requests/s
 * per server: Odoo has no limit of its own, and its workers serve the
 * merchant's users too; a page of 100 partners costs one request.
 */
export const odoo = defineSource({
  type: 'odoo',
  label: 'Odoo',
  queueName: 'sync-odoo',
  defaultConcurrency: 2,
  entities: ODOO_ENTITIES,
  credentials: odooCredentialsSchema,
  settings: odooSettingsSchema,
  cliFlags: [
    { flag: '--db <name>', path: 'credentials.db', help: 'Odoo database' },
    { flag: '--username <login>', path: 'credentials.username', help: 'Odoo login' },
    {
      flag: '--password <password>',
      path: 'credentials.password',
      help: 'Odoo password or API key (JSON-2: the API key)',
    },
    {
      flag: '--protocol <protocol>',
      path: 'settings.protocol',
      help: 'Odoo API: jsonrpc (default, every version) | json2 (Odoo 19+, bearer API key)',
    },
  ],
  rateBudget: { unit: 'requests', defaultPerSecond: 10 },
  create: (context) => new OdooAdapter(context),
});
