import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { extraSetting, rateLimitPerSecond, requiredString } from '../definition-fields.js';

/**
 * What an Odoo connection carries. `password` is the user's password or an
 * API key for JSON-RPC, and the API key for JSON-2 (which ignores the login).
 */
export const odooCredentialsSchema = z.object({
  db: requiredString('Odoo database name'),
  username: requiredString('Odoo login'),
  password: requiredString('Odoo password or API key'),
});
export type OdooCredentials = z.infer<typeof odooCredentialsSchema>;

export const odooProtocols = ['jsonrpc', 'json2'] as const;

/** Odoo connection settings (`--protocol`, `--setting k=v`, or `settings` in the API body); unknown keys are kept. */
export const odooSettingsSchema = z
  .object({
    /**
     * `jsonrpc`: `/jsonrpc` with `common.authenticate` then `object.execute_kw` (every Odoo
     * version; deprecated from 19). `json2`: `/json/2/<model>/<method>` with the API key as
     * bearer token (Odoo ≥ 19). @defaultValue 'jsonrpc'
     */
    protocol: z
      .enum(odooProtocols, { error: `must be one of ${odooProtocols.join(', ')}` })
      .default('jsonrpc'),
    rateLimitPerSecond,
    /**
     * Incremental runs start this many seconds before the last run's cursor: Odoo stamps
     * `write_date` at the start of a transaction, so a long transaction can commit a change dated
     * before records already synced. Records read again are unchanged for the mirror.
     * @defaultValue 60
     */
    incrementalOverlapSeconds: z.coerce
      .number({ error: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(0, 'must be 0 or more')
      .max(86_400, 'must be at most 86400 (a day)')
      .default(60),
    /** Ids per `search` of the deletion scan (ids only: 5,000 are ~40 KB). @defaultValue 5000 */
    idScanChunk: z.coerce
      .number({ error: 'must be a number of ids' })
      .int('must be a whole number')
      .min(100, 'must be at least 100')
      .max(50_000, 'must be at most 50000')
      .default(5000),
  })
  .catchall(extraSetting);
export type OdooSettings = z.infer<typeof odooSettingsSchema>;

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${what}.${i.path.join('.')}: ${i.message}`);
  throw new ValidationError(`invalid Odoo connection: ${issues.join('; ')}`, issues);
}

export function parseOdooCredentials(value: unknown): OdooCredentials {
  return parse(odooCredentialsSchema, value, 'credentials');
}

export function parseOdooSettings(value: unknown): OdooSettings {
  return parse(odooSettingsSchema, value, 'settings');
}
