import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Prisma } from '../../db/prisma.js';
import { whereClause } from '../../db/where-clause.js';
import { SyncAction, SyncEntityType, SyncStatusType } from '../../generated/prisma/enums.js';
import { secured, type ApiContext } from '../context.js';
import { cursorTimestampSql, decodeCursor, nextCursorOf } from '../cursor.js';
import { activityItem, errorResponses, nextCursor, responseOf } from '../openapi-schemas.js';
import { isCalendarInstant } from '../../validation.js';
import { jsonSchema, limitSchema, parseRequest } from '../validation.js';

const oneOf = <T extends Record<string, string>>(values: T) => {
  const list = Object.values(values) as [T[keyof T], ...T[keyof T][]];
  return z.enum(list, { error: `must be one of ${list.join(', ')}` });
};
const instant = z.iso
  .datetime({
    offset: true,
    error: 'must be an ISO-8601 date-time, e.g. 2026-11-26T10:00:00Z',
  })
  .refine(isCalendarInstant, 'must be a real date of the years 0001-9999, e.g. 2026-11-26T10:00:00Z');

const activityQuery = z
  .strictObject({
    syncId: z.string().min(1).max(255).optional(),
    entityType: oneOf(SyncEntityType).optional(),
    action: oneOf(SyncAction).optional(),
    status: oneOf(SyncStatusType).optional(),
    from: instant.optional().describe('inclusive lower bound of created_at'),
    to: instant.optional().describe('exclusive upper bound of created_at'),
    limit: limitSchema,
    cursor: z.string().max(500).optional(),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), {
    path: ['to'],
    message: 'must be later than from',
  });

interface ActivityRow {
  id: string;
  t: string;
  sync_id: string | null;
  entity_type: string | null;
  action: string | null;
  status: string | null;
  record_count: number | null;
  duration_seconds: number | null;
  error_message: string | null;
  user_id: string | null;
  created_at: Date;
}

/** GET /activity: the org's sync_activity_log, newest first, filtered, keyset-paginated. */
export function registerActivityRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/activity',
    {
      schema: {
        ...secured,
        tags: ['activity'],
        summary: 'Activity log entries, newest first (keyset pagination on created_at, id)',
        querystring: jsonSchema(activityQuery),
        response: {
          200: responseOf(z.object({ items: z.array(activityItem), nextCursor }), 'one page'),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const q = parseRequest(activityQuery, request.query, 'query');
      const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      // No org_id predicate: the RLS policies restrict to the user's org and use its indexes.
      const where: Prisma.Sql[] = [];
      if (q.syncId) where.push(Prisma.sql`sync_id = ${q.syncId}`);
      if (q.entityType) where.push(Prisma.sql`entity_type = ${q.entityType}::sync_entity_type`);
      if (q.action) where.push(Prisma.sql`action = ${q.action}::sync_action`);
      if (q.status) where.push(Prisma.sql`status = ${q.status}::sync_status_type`);
      if (q.from) where.push(Prisma.sql`created_at >= ${q.from}::timestamptz`);
      if (q.to) where.push(Prisma.sql`created_at < ${q.to}::timestamptz`);
      if (cursor) where.push(Prisma.sql`(created_at, id) < (${cursor.t}::timestamptz, ${cursor.id}::uuid)`);
      const rows = await ctx.asUser(
        request.userId,
        (tx) => tx.$queryRaw<ActivityRow[]>`
          SELECT id::text AS id, ${Prisma.raw(cursorTimestampSql('created_at'))} AS t,
                 sync_id, entity_type::text AS entity_type, action::text AS action, status::text AS status,
                 record_count, duration_seconds::float8 AS duration_seconds, error_message,
                 user_id::text AS user_id, created_at
            FROM sync_activity_log
           ${whereClause(where)}
           ORDER BY created_at DESC, id DESC
           LIMIT ${q.limit + 1}`,
      );
      const items = rows.slice(0, q.limit).map((r) => ({
        id: r.id,
        syncId: r.sync_id,
        entityType: r.entity_type,
        action: r.action,
        status: r.status,
        recordCount: r.record_count,
        durationSeconds: r.duration_seconds,
        errorMessage: r.error_message,
        userId: r.user_id,
        createdAt: r.created_at.toISOString(),
      }));
      return { items, nextCursor: nextCursorOf(rows, q.limit, (r) => r) };
    },
  );
}
