import type { Command } from 'commander';
import { z } from 'zod';
import { enqueuePreview } from '../../queues/enqueue-preview.js';
import type { CachedPreview } from '../../preview/preview-cache.js';
import { asFlagError, entityFlag, parseFlags, secondsFlag, uuidFlag } from '../flags.js';
import { ExitCode, printResult } from '../output.js';
import { runCommand } from '../run-command.js';
import { withRuntime } from '../with-runtime.js';
import { waitForPreview } from '../wait-for-preview.js';

interface PreviewOptions {
  json?: boolean;
  refresh?: boolean;
  timeout: string;
}

const previewFlags = z.object({
  connection: uuidFlag('a connection id, as `connection list` prints'),
  entity: entityFlag,
  timeout: secondsFlag,
});

function summary(preview: CachedPreview, cached: boolean): string {
  const s = preview.delta.statistics;
  return (
    `preview of ${preview.delta.entity_type} (${cached ? 'cached' : 'computed'} ${preview.computedAt}, ` +
    `valid until ${preview.expiresAt}):\n` +
    `  new ${s.new_count}, updated ${s.updated_count}, deleted ${s.deleted_count} — ` +
    `${s.total_affected} affected; ${s.unchanged_count} unchanged, ${s.failed_count} failed to map\n` +
    `  cache key ${preview.cacheKey}`
  );
}

export function registerPreview(program: Command): void {
  program
    .command('preview')
    .description('what a full sync of one entity would change (new, updated, deleted), without writing')
    .requiredOption('--connection <id>', 'connection id')
    .requiredOption('--entity <type>', 'customer|product|order|invoice|supplier|inventory|category|attribute')
    .option('--refresh', 'compute it again even when a cached preview is fresh')
    .option('--timeout <seconds>', 'give up waiting after this long (the preview goes on); 0: no limit', '0')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: PreviewOptions) => {
        const flags = parseFlags(previewFlags, opts);
        return withRuntime({ redis: true }, async (runtime) => {
          const request = await enqueuePreview(runtime, {
            connectionId: flags.connection,
            entityType: flags.entity,
            refresh: opts.refresh === true,
          }).catch((err: unknown) => {
            throw asFlagError(err);
          });
          const preview = request.cached
            ? request.preview
            : await waitForPreview(runtime, request, { timeoutMs: flags.timeout * 1000 });
          if (!preview) {
            printResult(
              opts.json,
              { cacheKey: request.cacheKey, cached: false, status: 'pending' },
              `preview ${request.cacheKey} still pending after ${opts.timeout}s (it goes on; run again to get it)`,
            );
            return ExitCode.FAILED;
          }
          printResult(
            opts.json,
            {
              cacheKey: preview.cacheKey,
              cached: request.cached,
              computedAt: preview.computedAt,
              expiresAt: preview.expiresAt,
              statistics: preview.delta.statistics,
            },
            summary(preview, request.cached),
          );
          return ExitCode.OK;
        });
      }),
    );
}
