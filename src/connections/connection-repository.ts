import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Prisma, type PrismaClient, type PrismaTx } from '../db/prisma.js';
import { ConfigError, ErrorCodes, NotFoundError, SyncWorkerError, ValidationError } from '../errors.js';
import { LIVE_STATUSES } from '../sync/sync-lifecycle.js';
import type { SourceRegistry } from '../adapters/source-registry.js';
import type { SyncType } from '../generated/prisma/enums.js';
import { parseNewConnection } from './connection-schema.js';
import {
  credentialsAad,
  decryptCredentials,
  encryptCredentials,
  type Credentials,
  type CredentialsKey,
} from './credentials-cipher.js';

/**
 * `integration_connection` rows. Credentials are encrypted before they reach
 * the database and decrypted only by `loadConnection`, for the job that talks
 * to the store; nothing else returns them.
 */

/** A connection as listed and returned to callers: never with credentials. */
export interface ConnectionSummary {
  id: string;
  orgId: string;
  type: SyncType;
  name: string;
  baseUrl: string;
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** A connection ready for an adapter: credentials decrypted. */
export interface LoadedConnection {
  id: string;
  orgId: string;
  type: SyncType;
  name: string;
  baseUrl: string;
  settings: Record<string, unknown>;
  credentials: Credentials;
}

/** The root client or an interactive transaction (e.g. one running under RLS). */
export type Db = PrismaClient | PrismaTx;

const summarySelect = {
  id: true,
  orgId: true,
  type: true,
  name: true,
  baseUrl: true,
  settings: true,
  createdAt: true,
  updatedAt: true,
} as const;

/**
 * Validates (by the source's definition in `sources`, the built-in ones by
 * default), encrypts and inserts a new connection; duplicate (org, name) →
 * ValidationError.
 */
export async function createConnection(
  db: Db,
  key: CredentialsKey,
  input: unknown,
  sources?: SourceRegistry,
): Promise<ConnectionSummary> {
  const connection = parseNewConnection(input, sources);
  // The id is chosen here so the ciphertext can be bound to it (AAD).
  const id = randomUUID();
  try {
    const row = await db.integrationConnection.create({
      data: {
        id,
        orgId: connection.orgId,
        type: connection.type,
        name: connection.name,
        baseUrl: connection.baseUrl,
        settings: connection.settings as Prisma.InputJsonObject,
        credentials: encryptCredentials(key, connection.credentials, credentialsAad(connection.orgId, id)),
      },
      select: summarySelect,
    });
    return toSummary(row);
  } catch (err) {
    throw nameTaken(err, connection) ?? err;
  }
}

/** One connection with its credentials decrypted; CONNECTION_NOT_FOUND when absent, removed (or hidden by RLS). */
export async function loadConnection(db: Db, key: CredentialsKey, id: string): Promise<LoadedConnection> {
  const row = z.uuid().safeParse(id).success
    ? await db.integrationConnection.findFirst({
        where: { id, removedAt: null },
        select: { ...summarySelect, credentials: true },
      })
    : null;
  if (!row) {
    throw new NotFoundError(ErrorCodes.CONNECTION_NOT_FOUND, `connection ${id} does not exist`, {
      details: { connectionId: id },
    });
  }
  return {
    id: row.id,
    orgId: row.orgId,
    type: row.type,
    name: row.name,
    baseUrl: row.baseUrl,
    settings: asObject(row.settings),
    credentials: decryptCredentials(key, row.credentials, credentialsAad(row.orgId, row.id)),
  };
}

/** An org's connections by name (not the removed ones), without credentials. */
export async function listConnections(db: Db, orgId: string): Promise<ConnectionSummary[]> {
  if (!z.uuid().safeParse(orgId).success) {
    throw new ValidationError('org must be a uuid', [`orgId: must be a uuid`]);
  }
  const rows = await db.integrationConnection.findMany({
    where: { orgId, removedAt: null },
    select: summarySelect,
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toSummary);
}

/** A duplicate (org, name) as the ValidationError on `name`; null for any other error. */
function nameTaken(err: unknown, connection: { name: string; orgId: string }): ValidationError | null {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== 'P2002') return null;
  const message = `a connection named "${connection.name}" already exists in org ${connection.orgId}; choose another name`;
  return new ValidationError(message, [`name: ${message}`]);
}

/**
 * What `connection update` and PATCH /connections/:id change. Settings merge
 * into the stored ones (null removes a key); credentials merge into the
 * stored ones (e.g. a new password alone); the result is validated as a new
 * connection of its type would be.
 */
export const connectionPatchSchema = z
  .object({
    name: z.string().optional(),
    baseUrl: z.string().optional(),
    credentials: z.record(z.string(), z.string()).optional(),
    settings: z.record(z.string(), z.json().nullable()).optional(),
  })
  .strict();
export type ConnectionPatch = z.infer<typeof connectionPatchSchema>;

/** The live (not removed) connection `id`, or CONNECTION_NOT_FOUND. */
async function liveConnection(db: Db, id: string) {
  const row = z.uuid().safeParse(id).success
    ? await db.integrationConnection.findFirst({
        where: { id, removedAt: null },
        select: { ...summarySelect, credentials: true },
      })
    : null;
  if (!row) throw new NotFoundError(ErrorCodes.CONNECTION_NOT_FOUND, `connection ${id} not found`);
  return row;
}

/**
 * Renames a connection, changes its URL, credentials or settings. The stored
 * credentials are decrypted to merge and re-encrypted (so `key` is needed
 * even for a rename); a taken name or an invalid result → ValidationError
 * by field.
 */
export async function updateConnection(
  db: Db,
  key: CredentialsKey,
  id: string,
  patch: ConnectionPatch,
  sources?: SourceRegistry,
): Promise<ConnectionSummary> {
  const row = await liveConnection(db, id);
  const aad = credentialsAad(row.orgId, row.id);
  const settings = asObject(row.settings);
  for (const [name, value] of Object.entries(patch.settings ?? {})) {
    if (value === null) delete settings[name];
    else settings[name] = value;
  }
  const connection = parseNewConnection(
    {
      orgId: row.orgId,
      type: row.type,
      name: patch.name ?? row.name,
      baseUrl: patch.baseUrl ?? row.baseUrl,
      credentials: { ...decryptCredentials(key, row.credentials, aad), ...patch.credentials },
      settings,
    },
    sources,
  );
  try {
    const updated = await db.integrationConnection.update({
      where: { id: row.id },
      data: {
        name: connection.name,
        baseUrl: connection.baseUrl,
        settings: connection.settings as Prisma.InputJsonObject,
        credentials: encryptCredentials(key, connection.credentials, aad),
        updatedAt: new Date(),
      },
      select: summarySelect,
    });
    return toSummary(updated);
  } catch (err) {
    throw nameTaken(err, connection) ?? err;
  }
}

/**
 * Removes a connection, refused (CONNECTION_BUSY) while one of its syncs is
 * live. `delete`: the row goes, and with it the mirror (sync_record) and the
 * sync state; past syncs keep their progress rows. `keep`: the row stays,
 * marked removed, its credentials wiped (`key` encrypts an empty set); the
 * mirror stays. Run it in a transaction: the row is locked first, so no sync
 * can be registered for it meanwhile.
 */
export async function removeConnection(
  tx: PrismaTx,
  id: string,
  options: { mirror: 'keep' | 'delete'; key?: CredentialsKey },
): Promise<{ id: string; name: string; mirror: 'kept' | 'deleted'; records: number }> {
  const row = await liveConnection(tx, id);
  await tx.$queryRaw`SELECT 1 FROM integration_connection WHERE id = ${row.id}::uuid FOR UPDATE`;
  const live = await tx.syncProgress.findMany({
    where: { connectionId: row.id, status: { in: [...LIVE_STATUSES] } },
    select: { syncId: true },
  });
  if (live.length) {
    const ids = live.map((s) => s.syncId);
    throw new SyncWorkerError(
      ErrorCodes.CONNECTION_BUSY,
      `connection ${row.id} has a sync running (${ids.join(', ')}): cancel it first ` +
        `(sync-worker cancel --sync ${ids[0]}) or wait for it to end`,
      { details: { syncIds: ids } },
    );
  }
  const records = await tx.syncRecord.count({ where: { connectionId: row.id } });
  if (options.mirror === 'delete') {
    await tx.integrationConnection.delete({ where: { id: row.id } });
    return { id: row.id, name: row.name, mirror: 'deleted', records };
  }
  if (!options.key)
    throw new ConfigError(['SYNC_ENCRYPTION_KEY: is required to wipe the credentials of a kept connection']);
  await tx.integrationConnection.update({
    where: { id: row.id },
    data: {
      removedAt: new Date(),
      updatedAt: new Date(),
      credentials: encryptCredentials(options.key, {}, credentialsAad(row.orgId, row.id)),
    },
  });
  return { id: row.id, name: row.name, mirror: 'kept', records };
}

function toSummary(
  row: { settings: Prisma.JsonValue } & Omit<ConnectionSummary, 'settings'>,
): ConnectionSummary {
  return { ...row, settings: asObject(row.settings) };
}

function asObject(value: Prisma.JsonValue): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
}
