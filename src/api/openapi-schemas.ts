import { z } from 'zod';
import { builtInSources } from '../adapters/registry.js';
import { jsonSchema } from './validation.js';

/**
 * Response shapes, for the OpenAPI document only: responses are serialised
 * with JSON.stringify, never filtered through these.
 */

const errorBody = z.object({
  error: z.object({
    code: z.string().describe('stable error code (src/errors.ts)'),
    message: z.string(),
    details: z
      .object({ issues: z.array(z.string()).optional() })
      .catchall(z.unknown())
      .optional(),
  }),
});

export const connectionSummary = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  type: z.enum(builtInSources.types as [string, ...string[]]),
  name: z.string(),
  baseUrl: z.string(),
  settings: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const n = z.number().nullable();
export const syncViewSchema = z.object({
  syncId: z.string(),
  status: z.string(),
  connectionId: z.uuid().nullable(),
  entityType: z.string().nullable(),
  sourceSystem: z.string().nullable(),
  mode: z.string().nullable(),
  totalItems: z.number(),
  processedCount: z.number(),
  failedCount: z.number(),
  currentItem: z.number(),
  batchNumber: z.number(),
  speedItemsPerMin: n.describe('from the database triggers; null until there is progress'),
  etaSeconds: n.describe(
    'from the database triggers; null until there is progress, outside the fetching phase and once ended',
  ),
  elapsedSeconds: n,
  phase: z
    .enum(['queued', 'fetching', 'deletion scan', 'finishing', 'paused', 'done'])
    .describe('where the sync stands'),
  startedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  completedAt: z.iso.datetime().nullable().describe('set when it completed (with or without errors)'),
  endedAt: z.iso.datetime().nullable().describe('when it ended, whatever the outcome; null while live'),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  deleted: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const activityItem = z.object({
  id: z.uuid(),
  syncId: z.string().nullable(),
  entityType: z.string().nullable(),
  action: z.string().nullable(),
  status: z.string().nullable(),
  recordCount: n,
  durationSeconds: n,
  errorMessage: z.string().nullable(),
  userId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
});

export const nextCursor = z
  .string()
  .nullable()
  .describe('pass as `cursor` for the next page; null on the last');

/** The documented error responses of a route, by status. */
export function errorResponses(...statuses: number[]): Record<number, unknown> {
  const schema = jsonSchema(errorBody);
  // Every authenticated route (401) may answer 429 RATE_LIMITED (API_RATE_LIMIT), with Retry-After.
  const all = statuses.includes(401) && !statuses.includes(429) ? [...statuses, 429] : statuses;
  return Object.fromEntries(
    all.map((s) => [
      s,
      {
        ...schema,
        description: s === 429 ? 'RATE_LIMITED: retry after Retry-After seconds' : `error (${s})`,
      },
    ]),
  );
}

export const responseOf = (schema: z.ZodType, description: string) => ({
  ...jsonSchema(schema),
  description,
});
