import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { requireKeyRing } from '../../connections/credentials-cipher.js';
import { rekeyConnections } from '../../connections/rekey-connections.js';
import { createPrisma } from '../../db/prisma.js';
import { createLogger } from '../../logger.js';
import { ExitCode, printResult } from '../output.js';
import { runCommand } from '../run-command.js';

/**
 * `connection rekey`: every connection's credentials re-encrypted under the
 * current key of SYNC_ENCRYPTION_KEYS. Exit 1 when some could not be
 * decrypted with any configured key (they are listed, and left as they are).
 */
export function registerConnectionRekey(connection: Command): void {
  connection
    .command('rekey')
    .description(
      're-encrypt every connection with the current key (the first of SYNC_ENCRYPTION_KEYS); idempotent, resumable',
    )
    .option('--chunk-size <n>', 'connections per transaction', '100')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean; chunkSize: string }) => {
        const config = loadConfig();
        const ring = requireKeyRing(config, 'to re-encrypt connection credentials');
        const chunkSize = Number(opts.chunkSize);
        const prisma = createPrisma(config.DATABASE_URL, {
          poolSize: 1,
          applicationName: 'sync-worker rekey',
        });
        try {
          const result = await rekeyConnections(prisma, ring, {
            chunkSize: Number.isInteger(chunkSize) && chunkSize > 0 ? chunkSize : 100,
            logger: createLogger(config.LOG_LEVEL),
          });
          const failedIds = result.failed.map((f) => f.id);
          printResult(
            opts.json,
            {
              currentKid: result.currentKid,
              rekeyed: result.rekeyed,
              alreadyCurrent: result.alreadyCurrent,
              failed: failedIds.length,
              failedIds,
            },
            [
              `re-encrypted ${result.rekeyed} connection(s) under key "${result.currentKid}"; ` +
                `${result.alreadyCurrent} already were`,
              ...result.failed.map((f) => `  failed ${f.id}: ${f.message}`),
            ].join('\n'),
          );
          return failedIds.length ? ExitCode.FAILED : ExitCode.OK;
        } finally {
          await prisma.$disconnect();
        }
      }),
    );
}
