import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig, requireConfig } from '../../config.js';
import { ErrorCodes, SyncWorkerError, ValidationError } from '../../errors.js';
import { DEFAULT_TOKEN_TTL_MS, issueToken, maxTokenTtlMs, tokenClaimsFrom } from '../../users/issue-token.js';
import { userOrg } from '../../users/user-repository.js';
import { durationFlag, parseFlags, uuidFlag } from '../flags.js';
import { printResult } from '../output.js';
import { runCommand } from '../run-command.js';
import { withRuntime } from '../with-runtime.js';

const tokenFlags = z.object({
  user: uuidFlag('the user id'),
  ttl: durationFlag.optional(),
});

function formatTtl(ms: number): string {
  return ms % 3_600_000 === 0
    ? `${ms / 3_600_000}h`
    : ms % 60_000 === 0
      ? `${ms / 60_000}m`
      : `${ms / 1000}s`;
}

export function registerToken(program: Command): void {
  program
    .command('token')
    .description('issue an API bearer token for a user (HS256 with SYNC_JWT_SECRET, with an expiry)')
    .requiredOption('--user <uuid>', 'the user (must be in auth.users_extended: `sync-worker user add`)')
    .option(
      '--ttl <duration>',
      'lifetime: 90s, 30m, 1h, 1d … (default: 1h; at most the maximum token lifetime)',
    )
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean; user: string; ttl?: string }) => {
        const config = loadConfig();
        const secret = requireConfig(config, 'SYNC_JWT_SECRET', 'to sign API tokens');
        const flags = parseFlags(tokenFlags, opts);
        const ttlMs = flags.ttl ?? DEFAULT_TOKEN_TTL_MS;
        const maxMs = maxTokenTtlMs(config);
        if (ttlMs > maxMs) {
          const issue = `--ttl: at most ${formatTtl(maxMs)} (the maximum token lifetime), got ${opts.ttl}`;
          throw new ValidationError(`invalid flags:\n  - ${issue}`, [issue]);
        }
        const orgId = await withRuntime({}, (runtime) => userOrg(runtime.prisma, flags.user), config);
        if (orgId === null) {
          throw new SyncWorkerError(
            ErrorCodes.USER_NOT_PROVISIONED,
            `user ${flags.user} is not in auth.users_extended, so the API would refuse its token: ` +
              `add it first with \`sync-worker user add --org <uuid> --user ${flags.user}\``,
          );
        }
        const issued = await issueToken(secret, flags.user, ttlMs, tokenClaimsFrom(config));
        if (!opts.json)
          process.stderr.write(
            `token for user ${flags.user} (org ${orgId}), valid until ${issued.expiresAt}:\n`,
          );
        // Without --json, stdout holds the token alone: TOKEN=$(sync-worker token --user …).
        printResult(opts.json, issued, issued.token);
      }),
    );
}
