import type { PrismaClient } from '../db/prisma.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  credentialsAad,
  decryptCredentials,
  encryptCredentials,
  type CredentialsKey,
} from './credentials-cipher.js';

export interface RekeyOptions {
  /** Connections re-encrypted per transaction. @defaultValue 100 */
  chunkSize?: number;
  logger?: Logger;
}

export interface RekeyResult {
  /** The key every connection is now under. */
  currentKid: string;
  /** Re-encrypted by this run. */
  rekeyed: number;
  /** Already under the current key before this run. */
  alreadyCurrent: number;
  /** Connections no key of the ring decrypts (left as they are), by id. */
  failed: { id: string; message: string }[];
}

const UUID_MIN = '00000000-0000-0000-0000-000000000000';

/**
 * Re-encrypts every connection's credentials under the ring's current key.
 * Idempotent and resumable: it walks the rows not yet on the current kid in
 * id order, a chunk per transaction (rows locked, decrypted with whichever
 * accepted key fits, rewritten as `v2:<current kid>:…`), so a run stopped at
 * any point is finished by the next one. Runs as the database owner (every
 * org), never through the API.
 */
export async function rekeyConnections(
  prisma: PrismaClient,
  ring: CredentialsKey,
  options: RekeyOptions = {},
): Promise<RekeyResult> {
  const chunkSize = Math.max(1, options.chunkSize ?? 100);
  const prefix = `v2:${ring.currentKid}:`;
  const [{ n: alreadyCurrent } = { n: 0 }] = await prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM integration_connection WHERE starts_with(credentials, ${prefix})`;
  const result: RekeyResult = { currentKid: ring.currentKid, rekeyed: 0, alreadyCurrent, failed: [] };
  let after = UUID_MIN;
  for (;;) {
    const chunk = await prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; org_id: string; credentials: string }[]>`
        SELECT id::text AS id, org_id::text AS org_id, credentials
          FROM integration_connection
         WHERE id > ${after}::uuid AND NOT starts_with(credentials, ${prefix})
         ORDER BY id
         LIMIT ${chunkSize}
           FOR UPDATE`;
      const ids: string[] = [];
      const values: string[] = [];
      for (const row of rows) {
        const aad = credentialsAad(row.org_id, row.id);
        try {
          values.push(encryptCredentials(ring, decryptCredentials(ring, row.credentials, aad), aad));
          ids.push(row.id);
        } catch (err) {
          result.failed.push({ id: row.id, message: errorMessage(err) });
        }
      }
      if (ids.length) {
        await tx.$executeRaw`
          UPDATE integration_connection c SET credentials = v.credentials
            FROM unnest(${ids}::uuid[], ${values}::text[]) AS v(id, credentials)
           WHERE c.id = v.id`;
      }
      return { rewritten: ids.length, last: rows.at(-1)?.id, full: rows.length === chunkSize };
    });
    result.rekeyed += chunk.rewritten;
    options.logger?.info(
      { rekeyed: result.rekeyed, failed: result.failed.length, currentKid: ring.currentKid },
      'rekey: chunk committed',
    );
    if (!chunk.full || !chunk.last) break;
    after = chunk.last;
  }
  return result;
}
