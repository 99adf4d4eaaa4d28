import type { Command } from 'commander';
import { loadConfig, requireConfig } from '../../config.js';
import { createConnection, listConnections } from '../../connections/connection-repository.js';
import { parseNewConnection } from '../../connections/connection-schema.js';
import { parseEncryptionKey } from '../../connections/credentials-cipher.js';
import { createPrisma, type PrismaClient } from '../../db/prisma.js';
import { ValidationError } from '../../errors.js';
import { printResult } from '../output.js';
import { runCommand } from '../run-command.js';

interface AddOptions {
  json?: boolean;
  org?: string;
  type?: string;
  name?: string;
  url?: string;
  key?: string;
  secret?: string;
  token?: string;
  db?: string;
  username?: string;
  password?: string;
  authMode?: string;
  setting: string[];
}

/** Credential flags per type (they are the credential fields' names too). */
const credentialFlags = {
  woocommerce: ['key', 'secret'],
  shopify: ['token'],
  odoo: ['db', 'username', 'password'],
} as const;
type CredentialFlag = (typeof credentialFlags)[keyof typeof credentialFlags][number];
const allCredentialFlags = Object.values(credentialFlags).flat() as CredentialFlag[];

/** Schema paths → the flag that sets them, so messages name what to fix. */
const flagOf: Record<string, string> = {
  orgId: '--org',
  type: '--type',
  name: '--name',
  baseUrl: '--url',
  'credentials.key': '--key',
  'credentials.secret': '--secret',
  'credentials.token': '--token',
  'credentials.db': '--db',
  'credentials.username': '--username',
  'credentials.password': '--password',
  'settings.authMode': '--auth-mode',
};

export function registerConnection(program: Command): void {
  const connection = program
    .command('connection')
    .description('manage source store connections (credentials are encrypted with SYNC_ENCRYPTION_KEY)')
    .enablePositionalOptions();

  connection
    .command('add')
    .description('add a WooCommerce, Odoo or Shopify store to an org; prints its id')
    .option('--org <uuid>', 'organisation the store belongs to')
    .option('--type <type>', 'woocommerce | odoo | shopify')
    .option('--name <name>', 'a name, unique within the org')
    .option('--url <base>', "the store's base URL (http or https)")
    .option('--key <ck_…>', 'WooCommerce consumer key')
    .option('--secret <cs_…>', 'WooCommerce consumer secret')
    .option('--auth-mode <mode>', 'WooCommerce auth: basic | oauth1 | query (default: by URL scheme)')
    .option('--token <token>', 'Shopify Admin API access token')
    .option('--db <name>', 'Odoo database')
    .option('--username <login>', 'Odoo login')
    .option('--password <password>', 'Odoo password or API key')
    .option('--setting <key=value>', 'a connection setting (repeatable)', collect, [])
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: AddOptions) => {
        const config = loadConfig();
        const input = toInput(opts); // bad flags fail before the key or the database are touched
        const key = parseEncryptionKey(
          requireConfig(config, 'SYNC_ENCRYPTION_KEY', 'to encrypt connection credentials'),
        );
        const created = await withPrisma(config.DATABASE_URL, (prisma) =>
          createConnection(prisma, key, input),
        );
        printResult(
          opts.json,
          { id: created.id },
          `added ${created.type} connection "${created.name}" (${created.baseUrl}): ${created.id}`,
        );
      }),
    );

  connection
    .command('list')
    .description("list an org's connections (never their credentials)")
    .option('--org <uuid>', 'organisation')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean; org?: string }) => {
        const config = loadConfig();
        if (!opts.org) throw new ValidationError('--org is required', ['--org: is required']);
        const rows = await withPrisma(config.DATABASE_URL, (prisma) => listConnections(prisma, opts.org!));
        const connections = rows.map(({ id, orgId, type, name, baseUrl, settings, createdAt }) => ({
          id,
          orgId,
          type,
          name,
          baseUrl,
          settings,
          createdAt: createdAt.toISOString(),
        }));
        printResult(
          opts.json,
          { connections },
          connections.length
            ? connections.map((c) => `${c.id}  ${c.type.padEnd(11)}  ${c.name}  ${c.baseUrl}`).join('\n')
            : `no connections in org ${opts.org}`,
        );
      }),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Flags → the schema's input; every problem is reported at once, by flag name. */
function toInput(opts: AddOptions): Record<string, unknown> {
  const issues: string[] = [];
  const settings: Record<string, string> = {};
  for (const pair of opts.setting) {
    const eq = pair.indexOf('=');
    if (eq > 0) settings[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
    else issues.push(`--setting: must be key=value, got "${pair}"`);
  }
  if (opts.authMode !== undefined) settings.authMode = opts.authMode;
  const fields: readonly CredentialFlag[] = credentialFlags[opts.type as keyof typeof credentialFlags] ?? [];
  const credentials = Object.fromEntries(fields.map((f) => [f, opts[f]]));
  const input = {
    orgId: opts.org,
    type: opts.type,
    name: opts.name,
    baseUrl: opts.url,
    credentials,
    settings,
  };
  try {
    parseNewConnection(input);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push(...err.issues.map(toFlagIssue));
  }
  if (fields.length) {
    const unused = allCredentialFlags.filter((f) => !fields.includes(f) && opts[f] !== undefined);
    issues.push(...unused.map((f) => `--${f}: is not used by ${opts.type} connections`));
  }
  if (issues.length) {
    throw new ValidationError(`invalid flags:\n${issues.map((i) => `  - ${i}`).join('\n')}`, issues);
  }
  return input;
}

/** `credentials.secret: …` → `--secret: …`, `settings.apiVersion: …` → `--setting apiVersion: …`. */
function toFlagIssue(issue: string): string {
  const at = issue.indexOf(': ');
  const path = issue.slice(0, at);
  const flag = flagOf[path] ?? (path.startsWith('settings.') ? `--setting ${path.slice(9)}` : path);
  return `${flag}${issue.slice(at)}`;
}

async function withPrisma<T>(databaseUrl: string, fn: (prisma: PrismaClient) => Promise<T>): Promise<T> {
  const prisma = createPrisma(databaseUrl, { poolSize: 1, applicationName: 'sync-worker connection' });
  try {
    return await fn(prisma);
  } finally {
    await prisma.$disconnect();
  }
}
