import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Prisma, type PrismaClient, type PrismaTx } from '../db/prisma.js';
import { ErrorCodes, NotFoundError, ValidationError } from '../errors.js';
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
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      const message = `a connection named "${connection.name}" already exists in org ${connection.orgId}; choose another name`;
      throw new ValidationError(message, [`name: ${message}`]);
    }
    throw err;
  }
}

/** One connection with its credentials decrypted; CONNECTION_NOT_FOUND when absent (or hidden by RLS). */
export async function loadConnection(db: Db, key: CredentialsKey, id: string): Promise<LoadedConnection> {
  const row = z.uuid().safeParse(id).success
    ? await db.integrationConnection.findUnique({
        where: { id },
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

/** An org's connections by name, without credentials. */
export async function listConnections(db: Db, orgId: string): Promise<ConnectionSummary[]> {
  if (!z.uuid().safeParse(orgId).success) {
    throw new ValidationError('org must be a uuid', [`orgId: must be a uuid`]);
  }
  const rows = await db.integrationConnection.findMany({
    where: { orgId },
    select: summarySelect,
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toSummary);
}

function toSummary(
  row: { settings: Prisma.JsonValue } & Omit<ConnectionSummary, 'settings'>,
): ConnectionSummary {
  return { ...row, settings: asObject(row.settings) };
}

function asObject(value: Prisma.JsonValue): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
}
