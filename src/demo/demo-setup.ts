import type { Config } from '../config.js';
import {
  createConnection,
  removeConnection,
  updateConnection,
} from '../connections/connection-repository.js';
import type { CredentialsKey } from '../connections/credentials-cipher.js';
import type { PrismaClient } from '../db/prisma.js';
import { ErrorCodes, isSyncWorkerError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { cancelSync } from '../sync/cancel-sync.js';
import { LIVE_STATUSES } from '../sync/sync-lifecycle.js';
import { issueToken, maxTokenTtlMs, tokenClaimsFrom, type IssuedToken } from '../users/issue-token.js';
import { addUser } from '../users/user-repository.js';
import type { DemoStore } from './demo-store.js';

/**
 * What the demo creates in the database, idempotently (a second run finds
 * them): one org, one user in it (`auth.users_extended`), one connection
 * named "demo store" pointing at the demo store of this run.
 */

/** The demo's org and user: fixed, so that every run of the demo shares them. */
export const DEMO_ORG_ID = 'de300000-0000-4000-8000-00000000000a';
export const DEMO_USER_ID = 'de300000-0000-4000-8000-00000000000b';
export const DEMO_CONNECTION_NAME = 'demo store';

/** The demo store listens here; the egress policy must let the workers reach it. */
export const DEMO_STORE_ADDRESS = '127.0.0.1';

/** A demo token lives this long (or less, when the token policy says so). @defaultValue 24 hours */
const DEMO_TOKEN_TTL_MS = 24 * 3_600_000;

/**
 * The environment with the demo store's address added to SYNC_EGRESS_ALLOW:
 * the egress policy refuses loopback sources, and the demo's store is one.
 * Only the processes that run the demo get it.
 */
export function demoEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const allowed = (env.SYNC_EGRESS_ALLOW ?? '').split(/[\s,]+/).filter(Boolean);
  if (allowed.includes(DEMO_STORE_ADDRESS)) return env;
  return { ...env, SYNC_EGRESS_ALLOW: [...allowed, DEMO_STORE_ADDRESS].join(',') };
}

/** The demo user in the demo org (the project's `user add`). */
export async function ensureDemoUser(prisma: PrismaClient): Promise<{ orgId: string; userId: string }> {
  const added = await addUser(prisma, { orgId: DEMO_ORG_ID, userId: DEMO_USER_ID });
  return { orgId: added.orgId, userId: added.userId };
}

/** An API token for the demo user (the project's `token`). */
export function demoToken(config: Config, secret: string, userId: string): Promise<IssuedToken> {
  return issueToken(
    secret,
    userId,
    Math.min(DEMO_TOKEN_TTL_MS, maxTokenTtlMs(config)),
    tokenClaimsFrom(config),
  );
}

/**
 * The "demo store" connection of the demo org, created on the first run; a
 * later run points it at this run's store (its port changes from run to run)
 * through the project's own `connection update`. One stored under another
 * SYNC_ENCRYPTION_KEY cannot be read: its live syncs (which cannot run
 * either) are cancelled, and it is removed with its mirror
 * (`connection remove --delete-mirror`) and made again.
 */
export async function ensureDemoConnection(
  runtime: Runtime,
  key: CredentialsKey,
  store: DemoStore,
): Promise<{ id: string; created: boolean }> {
  const { prisma } = runtime;
  const settings = { authMode: 'basic' };
  const existing = await prisma.integrationConnection.findFirst({
    where: { orgId: DEMO_ORG_ID, name: DEMO_CONNECTION_NAME, removedAt: null },
    select: { id: true },
  });
  if (existing) {
    try {
      await updateConnection(prisma, key, existing.id, {
        baseUrl: store.url,
        credentials: store.credentials,
        settings,
      });
      return { id: existing.id, created: false };
    } catch (err) {
      if (!isSyncWorkerError(err) || err.code !== ErrorCodes.ENCRYPTION_FAILED) throw err;
      const live = await prisma.syncProgress.findMany({
        where: { connectionId: existing.id, status: { in: [...LIVE_STATUSES] } },
        select: { syncId: true },
      });
      for (const { syncId } of live) await cancelSync(runtime, { syncId }).catch(() => undefined);
      await prisma.$transaction((tx) => removeConnection(tx, existing.id, { mirror: 'delete' }));
    }
  }
  const created = await createConnection(prisma, key, {
    orgId: DEMO_ORG_ID,
    type: 'woocommerce',
    name: DEMO_CONNECTION_NAME,
    baseUrl: store.url,
    credentials: store.credentials,
    settings,
  });
  return { id: created.id, created: true };
}
