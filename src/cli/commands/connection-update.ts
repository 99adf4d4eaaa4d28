import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { updateConnection, type ConnectionPatch } from '../../connections/connection-repository.js';
import { ErrorCodes, NotFoundError, ValidationError } from '../../errors.js';
import {
  addSourceOptions,
  collect,
  flagIssuesError,
  settingsFromFlags,
  sourceFieldsFromFlags,
  toFlagIssue,
  unusedFlagIssues,
  type SourceFlag,
} from '../connection-flags.js';
import { parseFlags, uuidFlag } from '../flags.js';
import { printResult } from '../output.js';
import { runCommand } from '../run-command.js';
import { newBaseUrlOf } from '../../connections/connection-schema.js';
import { requireKeyRing } from '../../connections/credentials-cipher.js';
import { egressPolicy } from '../../egress/egress.js';
import { withRuntime } from '../with-runtime.js';

type UpdateOptions = {
  json?: boolean;
  name?: string;
  url?: string;
  setting: string[];
  unsetSetting: string[];
} & Record<string, unknown>;

const idFlags = z.object({ connection: uuidFlag('a connection id, as `connection list` prints') });

/** `connection update`: rename, new URL, new credentials (merged), settings (merged). */
export function registerConnectionUpdate(connection: Command, flagsByType: Map<string, SourceFlag[]>): void {
  const update = connection
    .command('update')
    .description(
      'rename a connection or change its URL, credentials or settings (the others stay as they are)',
    )
    .requiredOption('--connection <id>', 'the connection to change')
    .option('--name <name>', 'a new name, unique within the org')
    .option('--url <base>', "the store's new base URL");
  addSourceOptions(update, flagsByType);
  update
    .option('--setting <key=value>', 'set a connection setting (repeatable)', collect, [])
    .option('--unset-setting <key>', 'remove a connection setting (repeatable)', collect, [])
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: UpdateOptions) => {
        const config = loadConfig();
        const { connection: id } = parseFlags(idFlags, opts);
        const key = requireKeyRing(config, 'to re-encrypt the connection credentials');
        const updated = await withRuntime(
          {},
          async (runtime) => {
            const row = await runtime.prisma.integrationConnection.findFirst({
              where: { id, removedAt: null },
              select: { type: true },
            });
            if (!row) throw new NotFoundError(ErrorCodes.CONNECTION_NOT_FOUND, `connection ${id} not found`);
            const own = flagsByType.get(row.type) ?? [];
            const patch = await toPatch(opts, own, flagsByType, row.type);
            // A new URL passes the egress policy before anything is written.
            const newBaseUrl = newBaseUrlOf(patch);
            if (newBaseUrl) await egressPolicy(config.SYNC_EGRESS_ALLOW).checkUrl(newBaseUrl);
            return updateConnection(runtime.prisma, key, id, patch).catch((err: unknown) => {
              if (!(err instanceof ValidationError)) throw err;
              throw flagIssuesError(err.issues.map((issue) => toFlagIssue(issue, own)));
            });
          },
          config,
        );
        printResult(
          opts.json,
          {
            ...updated,
            createdAt: updated.createdAt.toISOString(),
            updatedAt: updated.updatedAt.toISOString(),
          },
          `updated ${updated.type} connection "${updated.name}" (${updated.baseUrl}): ${updated.id}`,
        );
      }),
    );
}

/** The flags given → the patch; nothing given is an error. */
async function toPatch(
  opts: UpdateOptions,
  own: readonly SourceFlag[],
  flagsByType: Map<string, SourceFlag[]>,
  type: string,
): Promise<ConnectionPatch> {
  const issues: string[] = [];
  const settings: Record<string, unknown> = settingsFromFlags(opts.setting, issues);
  for (const name of opts.unsetSetting) settings[name] = null;
  const fields = await sourceFieldsFromFlags(opts, own, issues);
  issues.push(...unusedFlagIssues(opts, flagsByType, type));
  if (issues.length) throw flagIssuesError(issues);
  const patch: ConnectionPatch = {
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.url !== undefined ? { baseUrl: opts.url } : {}),
    ...(Object.keys(fields.credentials).length
      ? { credentials: fields.credentials as Record<string, string> }
      : {}),
    ...(Object.keys(settings).length + Object.keys(fields.settings).length
      ? { settings: { ...settings, ...fields.settings } as ConnectionPatch['settings'] }
      : {}),
  };
  if (Object.keys(patch).length === 0) {
    throw flagIssuesError(['flags: nothing to change; give --name, --url, a credential or --setting']);
  }
  return patch;
}
