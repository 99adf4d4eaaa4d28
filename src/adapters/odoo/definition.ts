import { z } from 'zod';
import { ErrorCodes, SyncWorkerError } from '../../errors.js';
import { extraSetting, rateLimitPerSecond, requiredString } from '../definition-fields.js';
import { defineSource } from '../source-definition.js';

/** Odoo (JSON-RPC `/jsonrpc`; JSON-2 as a connection option). */
export const odoo = defineSource({
  type: 'odoo',
  label: 'Odoo',
  queueName: 'sync-odoo',
  defaultConcurrency: 2,
  entities: ['customer', 'supplier', 'product', 'order', 'invoice', 'inventory', 'category', 'attribute'],
  credentials: z.object({
    db: requiredString('Odoo database name'),
    username: requiredString('Odoo login'),
    password: requiredString('Odoo password or API key'),
  }),
  settings: z.object({ rateLimitPerSecond }).catchall(extraSetting),
  cliFlags: [
    { flag: '--db <name>', path: 'credentials.db', help: 'Odoo database' },
    { flag: '--username <login>', path: 'credentials.username', help: 'Odoo login' },
    { flag: '--password <password>', path: 'credentials.password', help: 'Odoo password or API key' },
  ],
  rateBudget: { unit: 'requests', defaultPerSecond: 10 },
  create: () => {
    // Placeholder until the Odoo adapter lands (issue 6 item 3).
    throw new SyncWorkerError(ErrorCodes.ADAPTER_NOT_FOUND, 'the Odoo adapter is not built yet');
  },
});
