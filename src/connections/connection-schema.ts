import { z } from 'zod';
import { requiredString } from '../adapters/definition-fields.js';
import { builtInSources } from '../adapters/registry.js';
import type { SourceDefinition } from '../adapters/source-definition.js';
import type { SourceRegistry } from '../adapters/source-registry.js';
import type { SyncType } from '../adapters/types.js';
import { ValidationError } from '../errors.js';
import { CONTROL_CHARACTERS, INVISIBLE_CHARACTERS } from '../safe-text.js';
import { describeIssue, unstorableIssues } from '../validation.js';

/**
 * What a new connection must carry: the common fields, and per source type
 * the credentials and settings of its definition (src/adapters/<source>/
 * definition.ts). Used by the CLI (`connection add`) and the HTTP API; each
 * bad field gets its own message.
 */

const orgId = z.uuid({
  error: (i) => (i.input === undefined ? 'is required (the organisation uuid)' : 'must be a uuid'),
});

/**
 * A name shows in lists and logs as what it is: normalised to NFC, and
 * refused with control characters or with bidi overrides, isolates, marks
 * and zero-width characters (which make text display as something else).
 */
const name = requiredString('a name for this connection')
  .max(255, 'must be at most 255 characters')
  .refine((v) => !CONTROL_CHARACTERS.test(v), 'must not contain control characters')
  .refine(
    (v) => !INVISIBLE_CHARACTERS.test(v),
    'must not contain bidi-control or zero-width characters (U+202A–U+202E, U+2066–U+2069, U+200B–U+200F…)',
  )
  .transform((v) => v.normalize('NFC'));

/**
 * http(s) URL with no credentials, query or fragment; returned without a
 * trailing slash. Messages never quote the value: it may carry keys.
 */
export const baseUrlSchema = requiredString("the store's base URL").transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'must be an absolute http(s) URL with its scheme, such as https://shop.example.com',
    });
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

const common = { orgId, name, baseUrl: baseUrlSchema };

/** A validated, normalised new connection (credentials still in clear). */
export interface NewConnection {
  orgId: string;
  type: SyncType;
  name: string;
  baseUrl: string;
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
}

/** Unknown fields are refused (settings excepted: free-form by design). */
function variantOf(definition: SourceDefinition) {
  const credentials: z.ZodType<Record<string, string>> =
    definition.credentials instanceof z.ZodObject
      ? (definition.credentials.strict() as unknown as z.ZodType<Record<string, string>>)
      : definition.credentials;
  return z.strictObject({
    ...common,
    type: z.literal(definition.type),
    credentials,
    // An absent settings object is parsed as {}, so the definition's defaults apply.
    settings: definition.settings.prefault({}),
  });
}

const schemas = new WeakMap<SourceRegistry, z.ZodType<NewConnection>>();

/** The discriminated union of every source's connection, for a registry (cached). */
export function connectionSchemaOf(registry: SourceRegistry): z.ZodType<NewConnection> {
  let schema = schemas.get(registry);
  if (!schema) {
    const variants = registry.definitions.map(variantOf);
    const types = registry.types.join(', ');
    schema = z.discriminatedUnion('type', variants as [ReturnType<typeof variantOf>], {
      error: (i) =>
        (i.input as { type?: unknown } | undefined)?.type === undefined
          ? `is required (one of ${types})`
          : `must be one of ${types}`,
    });
    schemas.set(registry, schema);
  }
  return schema;
}

/** The built-in sources' connection schema (the OpenAPI body of POST /connections). */
export const newConnectionSchema = connectionSchemaOf(builtInSources);

/** Validates a new connection; ValidationError lists every bad field as `path: message`. */
export function parseNewConnection(input: unknown, registry: SourceRegistry = builtInSources): NewConnection {
  const unstorable = unstorableIssues(input);
  if (unstorable.length) {
    throw new ValidationError(
      `invalid connection:\n${unstorable.map((i) => `  - ${i}`).join('\n')}`,
      unstorable,
    );
  }
  const parsed = connectionSchemaOf(registry).safeParse(input);
  if (parsed.success) return parsed.data;
  // A bad type hides the other fields' problems; report the common ones too.
  const commonIssues =
    parsed.error.issues.some((i) => i.path.join('.') === 'type') && typeof input === 'object' && input
      ? (z.object(common).safeParse(input).error?.issues ?? [])
      : [];
  const issues = [...parsed.error.issues, ...commonIssues].flatMap((i) => describeIssue(i, [], 'input'));
  throw new ValidationError(`invalid connection:\n${issues.map((i) => `  - ${i}`).join('\n')}`, issues);
}

/**
 * A stored connection's settings and credentials read again by its
 * definition when a job builds the adapter: defaults added since the
 * connection was created apply; a value that no longer validates fails the
 * job at once with the field named.
 */
export function parseStoredConnection(
  definition: SourceDefinition,
  stored: { credentials: Record<string, string>; settings: Record<string, unknown> },
): { credentials: Record<string, string>; settings: Record<string, unknown> } {
  const credentials = definition.credentials.safeParse(stored.credentials);
  const settings = definition.settings.safeParse(stored.settings);
  const issues = [
    ...(credentials.error?.issues.map((i) => `credentials.${i.path.join('.')}: ${i.message}`) ?? []),
    ...(settings.error?.issues.map((i) => `settings.${i.path.join('.')}: ${i.message}`) ?? []),
  ];
  if (issues.length || !credentials.success || !settings.success) {
    throw new ValidationError(
      `the stored ${definition.label} connection no longer validates: ${issues.join('; ')}`,
      issues,
    );
  }
  return { credentials: credentials.data, settings: settings.data };
}

/** The normalised base URL a patch moves a connection to, when it names a valid one (else undefined: validation reports it). */
export function newBaseUrlOf(patch: { baseUrl?: unknown }): string | undefined {
  if (patch.baseUrl === undefined) return undefined;
  const parsed = baseUrlSchema.safeParse(patch.baseUrl);
  return parsed.success ? parsed.data : undefined;
}
