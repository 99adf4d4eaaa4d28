import type { Command } from 'commander';
import { z } from 'zod';
import { builtInSources } from '../../adapters/registry.js';
import { loadConfig } from '../../config.js';
import { createConnection, listConnections } from '../../connections/connection-repository.js';
import { parseNewConnection } from '../../connections/connection-schema.js';
import { requireKeyRing } from '../../connections/credentials-cipher.js';
import { egressPolicy } from '../../egress/egress.js';
import { ValidationError } from '../../errors.js';
import {
  addSourceOptions,
  collect,
  flagIssuesError,
  settingsFromFlags,
  sourceFieldsFromFlags,
  sourceFlags,
  toFlagIssue,
  unusedFlagIssues,
  type SourceFlag,
} from '../connection-flags.js';
import { parseFlags, uuidFlag } from '../flags.js';
import { printResult } from '../output.js';
import { registerConnectionRekey } from './connection-rekey.js';
import { runCommand } from '../run-command.js';
import { withRuntime } from '../with-runtime.js';
import { registerConnectionRemove } from './connection-remove.js';
import { registerConnectionUpdate } from './connection-update.js';

type AddOptions = {
  json?: boolean;
  org?: string;
  type?: string;
  name?: string;
  url?: string;
  setting: string[];
} & Record<string, unknown>;

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
    .option('--org <uuid>', 'organisation the store belongs to (required)')
    .option('--type <type>', `${types} (required)`)
    .option('--name <name>', 'a name, unique within the org (required)')
    .option('--url <base>', "the store's base URL, http or https (required)");
  addSourceOptions(add, flagsByType);
  add
    .option('--setting <key=value>', 'a connection setting (repeatable)', collect, [])
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: AddOptions) => {
        const config = loadConfig();
        // Bad flags fail before the key or the database are touched.
        const input = await toInput({ ...opts, type: opts.type?.toLowerCase() }, flagsByType);
        const key = requireKeyRing(config, 'to encrypt connection credentials');
        // Refused hosts fail before anything is stored (a host that does not resolve now passes).
        await egressPolicy(config.SYNC_EGRESS_ALLOW).checkUrl(parseNewConnection(input).baseUrl);
        const created = await withRuntime(
          {},
          (runtime) => createConnection(runtime.prisma, key, input),
          config,
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
    .description("list an org's connections (never their credentials; not the removed ones)")
    .requiredOption('--org <uuid>', 'organisation')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean }) => {
        const { org } = parseFlags(z.object({ org: uuidFlag('the organisation id') }), opts);
        const rows = await withRuntime({}, (runtime) => listConnections(runtime.prisma, org));
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
            : `no connections in org ${org}`,
        );
      }),
    );

  registerConnectionRekey(connection);

  registerConnectionUpdate(connection, flagsByType);
  registerConnectionRemove(connection);
}

/** Flags → the schema's input; every problem is reported at once, by flag name. */
async function toInput(
  opts: AddOptions,
  flagsByType: Map<string, SourceFlag[]>,
): Promise<Record<string, unknown>> {
  const issues: string[] = [];
  const settings = settingsFromFlags(opts.setting, issues);
  const own = flagsByType.get(opts.type ?? '') ?? [];
  const fields = await sourceFieldsFromFlags(opts, own, issues);
  const input = {
    orgId: opts.org,
    type: opts.type,
    name: opts.name,
    baseUrl: opts.url,
    credentials: fields.credentials,
    settings: { ...settings, ...fields.settings },
  };
  try {
    parseNewConnection(input);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push(...err.issues.map((issue) => toFlagIssue(issue, own)));
  }
  if (own.length) issues.push(...unusedFlagIssues(opts, flagsByType, opts.type!));
  if (issues.length) throw flagIssuesError(issues);
  return input;
}
