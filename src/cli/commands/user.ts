import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { z } from 'zod';
import { addUser } from '../../users/user-repository.js';
import { parseFlags, uuidFlag } from '../flags.js';
import { printResult } from '../output.js';
import { runCommand } from '../run-command.js';
import { withRuntime } from '../with-runtime.js';

const addFlags = z.object({
  org: uuidFlag('the organisation id'),
  user: uuidFlag('the user id (the JWT sub)').optional(),
});

export function registerUser(program: Command): void {
  const user = program
    .command('user')
    .description('manage API users (auth.users_extended, where sync-worker created it)')
    .enablePositionalOptions();

  user
    .command('add')
    .description("add a user to an org (idempotent); its id is the API token's sub")
    .requiredOption('--org <uuid>', 'organisation the user belongs to')
    .option('--user <uuid>', 'the user id (default: a new uuid)')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean; org: string; user?: string }) => {
        const flags = parseFlags(addFlags, opts);
        const added = await withRuntime({}, (runtime) =>
          addUser(runtime.prisma, { orgId: flags.org, userId: flags.user ?? randomUUID() }),
        );
        printResult(
          opts.json,
          { userId: added.userId },
          `${added.created ? 'added' : 'already there:'} user ${added.userId} in org ${added.orgId}\n` +
            `token: sync-worker token --user ${added.userId}`,
        );
      }),
    );
}
