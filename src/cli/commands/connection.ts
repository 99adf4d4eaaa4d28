import { Option, type Command } from 'commander';
import { builtInSources } from '../../adapters/registry.js';
import type { CliFlag } from '../../adapters/source-definition.js';
import { loadConfig, requireConfig } from '../../config.js';
import { createConnection, listConnections } from '../../connections/connection-repository.js';
import { parseNewConnection } from '../../connections/connection-schema.js';
import { parseEncryptionKey } from '../../connections/credentials-cipher.js';
import { checkDatabase } from '../../db/check-database.js';
import { createPrisma, type PrismaClient } from '../../db/prisma.js';
import { ValidationError } from '../../errors.js';
import { printResult } from '../output.js';
import { PREFLIGHT_TIMEOUT_MS } from '../preflight.js';
import { runCommand } from '../run-command.js';

type AddOptions = {
  json?: boolean;
  org?: string;
  type?: string;
  name?: string;
  url?: string;
  setting: string[];
} & Record<string, unknown>;

/** A source flag with commander's name for its value (`--auth-mode` → `authMode`). */
interface SourceFlag extends CliFlag {
  option: Option;
  attribute: string;
  /** Long flag name alone (`--auth-mode`), for messages. */
  long: string;
}

/** Every source's flags, from the definitions; one option per flag even when two sources share it. */
function sourceFlags(): Map<string, SourceFlag[]> {
  const byType = new Map<string, SourceFlag[]>();
  for (const definition of builtInSources.definitions) {
    byType.set(
      definition.type,
      definition.cliFlags.map((f) => {
        const option = new Option(f.flag, `${f.help} (${definition.type})`);
        return { ...f, option, attribute: option.attributeName(), long: option.long! };
      }),
    );
  }
  return byType;
}

export function registerConnection(program: Command): void {
  const flagsByType = sourceFlags();
  const connection = program
    .command('connection')
    .description('manage source store connections (credentials are encrypted with SYNC_ENCRYPTION_KEY)')
    .enablePositionalOptions();

  const types = builtInSources.types.join(' | ');
  const labels = builtInSources.definitions.map((d) => d.label);
  const add = connection
    .command('add')
    .description(`add a ${labels.slice(0, -1).join(', ')} or ${labels.at(-1)} store to an org; prints its id`)
    .option('--org <uuid>', 'organisation the store belongs to')
    .option('--type <type>', types)
    .option('--name <name>', 'a name, unique within the org')
    .option('--url <base>', "the store's base URL (http or https)");
  const registered = new Set<string>();
  for (const flag of [...flagsByType.values()].flat()) {
    if (registered.has(flag.long)) continue;
    registered.add(flag.long);
    add.addOption(flag.option);
  }
  add
    .option('--setting <key=value>', 'a connection setting (repeatable)', collect, [])
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: AddOptions) => {
        const config = loadConfig();
        const input = toInput(opts, flagsByType); // bad flags fail before the key or the database are touched
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
function toInput(opts: AddOptions, flagsByType: Map<string, SourceFlag[]>): Record<string, unknown> {
  const issues: string[] = [];
  const settings: Record<string, unknown> = {};
  for (const pair of opts.setting) {
    const eq = pair.indexOf('=');
    if (eq > 0) settings[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
    else issues.push(`--setting: must be key=value, got "${pair}"`);
  }
  const credentials: Record<string, unknown> = {};
  const own = flagsByType.get(opts.type ?? '') ?? [];
  for (const flag of own) {
    const [part, field] = flag.path.split('.') as ['credentials' | 'settings', string];
    const value = opts[flag.attribute];
    if (part === 'credentials') credentials[field] = value;
    else if (value !== undefined) settings[field] = value;
  }
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
    issues.push(...err.issues.map((issue) => toFlagIssue(issue, own)));
  }
  if (own.length) {
    const ownLong = new Set(own.map((f) => f.long));
    const unused = [...flagsByType.values()]
      .flat()
      .filter((f) => !ownLong.has(f.long) && opts[f.attribute] !== undefined);
    const names = [...new Set(unused.map((f) => f.long))];
    issues.push(...names.map((long) => `${long}: is not used by ${opts.type} connections`));
  }
  if (issues.length) {
    throw new ValidationError(`invalid flags:\n${issues.map((i) => `  - ${i}`).join('\n')}`, issues);
  }
  return input;
}

const COMMON_FLAGS: Record<string, string> = {
  orgId: '--org',
  type: '--type',
  name: '--name',
  baseUrl: '--url',
};

/** `credentials.secret: …` → `--secret: …`, `settings.apiVersion: …` → `--setting apiVersion: …`. */
function toFlagIssue(issue: string, own: readonly SourceFlag[]): string {
  const at = issue.indexOf(': ');
  const path = issue.slice(0, at);
  const flag =
    COMMON_FLAGS[path] ??
    own.find((f) => f.path === path)?.long ??
    (path.startsWith('settings.') ? `--setting ${path.slice(9)}` : path);
  return `${flag}${issue.slice(at)}`;
}

async function withPrisma<T>(databaseUrl: string, fn: (prisma: PrismaClient) => Promise<T>): Promise<T> {
  await checkDatabase(databaseUrl, { timeoutMs: PREFLIGHT_TIMEOUT_MS });
  const prisma = createPrisma(databaseUrl, { poolSize: 1, applicationName: 'sync-worker connection' });
  try {
    return await fn(prisma);
  } finally {
    await prisma.$disconnect();
  }
}
