import { z } from 'zod';
import { ValidationError } from '../errors.js';

/**
 * What a new connection must carry, per source type. Used by the CLI
 * (`connection add`) and the HTTP API; each bad field gets its own message.
 */

export const connectionTypes = ['woocommerce', 'odoo', 'shopify'] as const;
export type ConnectionType = (typeof connectionTypes)[number];

/** The Shopify Admin API version pinned when none is given. */
export const DEFAULT_SHOPIFY_API_VERSION = '2025-10';

export const wooAuthModes = ['basic', 'oauth1', 'query'] as const;

const requiredString = (what: string) =>
  z
    .string({
      error: (i) => (i.input === undefined ? `is required (${what})` : `must be a string (${what})`),
    })
    .trim()
    .min(1, `must not be empty (${what})`);

const orgId = z.uuid({
  error: (i) => (i.input === undefined ? 'is required (the organisation uuid)' : 'must be a uuid'),
});

const name = requiredString('a name for this connection').max(255, 'must be at most 255 characters');

/** http(s) URL with no credentials, query or fragment; returned without a trailing slash. */
export const baseUrlSchema = requiredString("the store's base URL").transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `must be an http(s) URL, got "${value}"` });
    return z.NEVER;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `must use http or https, not ${url.protocol.slice(0, -1)}` });
    return z.NEVER;
  }
  if (url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: 'must not contain a user or password; pass credentials apart' });
    return z.NEVER;
  }
  if (url.search || url.hash) {
    ctx.addIssue({ code: 'custom', message: 'must not contain a query string or fragment' });
    return z.NEVER;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
});

/** Extra settings are free-form JSON; the known ones are checked per type. */
const extraSetting = z.json();

const common = { orgId, name, baseUrl: baseUrlSchema };

const woocommerce = z.object({
  ...common,
  type: z.literal('woocommerce'),
  credentials: z.object({
    key: requiredString('WooCommerce consumer key, ck_…').regex(/^ck_\S+$/, 'must be a consumer key: ck_…'),
    secret: requiredString('WooCommerce consumer secret, cs_…').regex(
      /^cs_\S+$/,
      'must be a consumer secret: cs_…',
    ),
  }),
  settings: z
    .object({
      authMode: z.enum(wooAuthModes, { error: `must be one of ${wooAuthModes.join(', ')}` }).optional(),
    })
    .catchall(extraSetting)
    .default({}),
});

const shopify = z.object({
  ...common,
  type: z.literal('shopify'),
  credentials: z.object({ token: requiredString('Shopify Admin API access token') }),
  settings: z
    .object({
      apiVersion: z
        .string()
        .regex(/^(\d{4}-\d{2}|unstable)$/, 'must be a dated API version like 2025-10')
        .default(DEFAULT_SHOPIFY_API_VERSION),
    })
    .catchall(extraSetting)
    .default({ apiVersion: DEFAULT_SHOPIFY_API_VERSION }),
});

const odoo = z.object({
  ...common,
  type: z.literal('odoo'),
  credentials: z.object({
    db: requiredString('Odoo database name'),
    username: requiredString('Odoo login'),
    password: requiredString('Odoo password or API key'),
  }),
  settings: z.object({}).catchall(extraSetting).default({}),
});

export const newConnectionSchema = z.discriminatedUnion('type', [woocommerce, odoo, shopify], {
  error: (i) =>
    (i.input as { type?: unknown } | undefined)?.type === undefined
      ? `is required (one of ${connectionTypes.join(', ')})`
      : `must be one of ${connectionTypes.join(', ')}`,
});

/** A validated, normalised new connection (credentials still in clear). */
export type NewConnection = z.output<typeof newConnectionSchema>;
/** What callers hand in before validation. */
export type NewConnectionInput = z.input<typeof newConnectionSchema>;

/** Validates a new connection; ValidationError lists every bad field as `path: message`. */
export function parseNewConnection(input: unknown): NewConnection {
  const parsed = newConnectionSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  // A bad type hides the other fields' problems; report the common ones too.
  const commonIssues =
    parsed.error.issues.some((i) => i.path.join('.') === 'type') && typeof input === 'object' && input
      ? (z.object(common).safeParse(input).error?.issues ?? [])
      : [];
  const issues = [...parsed.error.issues, ...commonIssues].map(
    (i) => `${i.path.join('.') || 'input'}: ${i.message}`,
  );
  throw new ValidationError(`invalid connection:\n${issues.map((i) => `  - ${i}`).join('\n')}`, issues);
}
