import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseSyncJobData } from '../../src/jobs/sync-job-data.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import { entityTypes } from '../../src/validation.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { deepValue, fuzzParams, nastyJson, nastyString } from './arbitraries.js';

// Property: job data that is not a valid sync job (a tampered Redis, an old producer) is refused
// with a ValidationError, never another error or a stack overflow; in a real worker such a job
// fails once as unrecoverable (not retried) and writes nothing.

const valid = fc.record({
  syncId: fc.stringMatching(/^[A-Za-z0-9_.-]{1,40}$/),
  orgId: fc.uuid(),
  connectionId: fc.uuid(),
  entityType: fc.constantFrom(...entityTypes),
  mode: fc.constantFrom('full', 'incremental'),
  trigger: fc.constantFrom('manual', 'scheduled'),
  initiatedBy: fc.oneof(fc.uuid(), fc.constant(null)),
});
const fields = ['syncId', 'orgId', 'connectionId', 'entityType', 'mode', 'trigger'] as const;

/** A valid job with at least one thing wrong: a field replaced, removed or added, or no object at all. */
const invalidJobData: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .tuple(valid, fc.constantFrom(...fields), fc.oneof(nastyString, nastyJson))
    .filter(([, field, value]) => !(field === 'mode' && (value === 'full' || value === 'incremental')))
    .filter(([, field, value]) => !(field === 'trigger' && (value === 'manual' || value === 'scheduled')))
    .filter(([, field, value]) => !(field === 'entityType' && entityTypes.includes(value as never)))
    .filter(
      ([, field, value]) =>
        !(field === 'syncId' && typeof value === 'string' && /^[A-Za-z0-9_.-]{1,255}$/.test(value)),
    )
    .filter(
      ([, field, value]) =>
        !(
          ['orgId', 'connectionId'].includes(field) &&
          typeof value === 'string' &&
          /^[0-9a-f-]{36}$/i.test(value)
        ),
    )
    .map(([job, field, value]) => ({ ...job, [field]: value })),
  fc.tuple(valid, fc.constantFrom(...fields)).map(([job, field]) => {
    const copy: Record<string, unknown> = { ...job };
    delete copy[field];
    return copy;
  }),
  fc
    .tuple(valid, nastyString, nastyJson)
    .filter(([job, key]) => !(key in job))
    .map(([job, key, value]) => ({ ...job, [key]: value })),
  fc.tuple(valid, deepValue).map(([job, deep]) => ({ ...job, connectionId: deep })),
  nastyJson.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)),
);

describe('sync job data', () => {
  test('anything that is not a valid job is a ValidationError, never another error', () => {
    fc.assert(
      fc.property(invalidJobData, (data) => {
        let thrown: unknown;
        try {
          parseSyncJobData(data);
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(ValidationError);
      }),
      fuzzParams(500),
    );
  });

  test('valid job data parses', () => {
    fc.assert(
      fc.property(valid, (data) => {
        expect(parseSyncJobData(data)).toEqual(data);
      }),
      fuzzParams(100),
    );
  });
});

describe('in a real worker', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await createSyncHarness('fuzz_jobs');
    await h.startWorkers();
  });
  afterAll(async () => h?.close());

  test('invalid jobs fail once as unrecoverable and write nothing', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    console.log(`job data sample seed: ${seed} (FUZZ_SEED=${seed} replays it)`);
    const samples = fc.sample(invalidJobData, { numRuns: 20, seed });
    const queue = new Queue(QueueNames.woocommerce, {
      connection: h.runtime.redis,
      prefix: h.config.QUEUE_PREFIX,
    });
    try {
      // BullMQ stores job data as JSON: undefined is what a missing field is, the rest as is.
      const jobs = await Promise.all(
        samples.map((data) => queue.add('sync', data as object, { jobId: randomUUID(), attempts: 5 })),
      );
      await waitFor(
        async () => (await Promise.all(jobs.map((j) => j.getState()))).every((s) => s === 'failed'),
        { what: 'every invalid job to fail' },
      );
      for (const job of jobs) {
        const failed = await queue.getJob(job.id!);
        expect(failed?.attemptsMade, JSON.stringify(job.data).slice(0, 200)).toBeLessThanOrEqual(1);
        expect(failed?.failedReason).toMatch(/invalid sync job data/);
      }
      const { rows } = await h.db.pool.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM sync_progress) + (SELECT count(*) FROM sync_activity_log)
              + (SELECT count(*) FROM sync_record) AS n`,
      );
      expect(Number(rows[0]!.n)).toBe(0);
    } finally {
      await queue.close();
    }
  });
});
