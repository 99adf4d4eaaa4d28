import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { inTransaction } from '../helpers/pg-assert.js';

/**
 * The ETA window of migration …_eta_window: speed and ETA from a moving
 * window of (time, items done) samples kept on the row, instead of the
 * average since started_at.
 *
 * Time without sleeping: everything runs in one transaction, where now() is
 * fixed; "time passes" by moving the row's past back (started_at and every
 * sample's time minus Δ) in the same UPDATE that writes the new counts. The
 * trigger then sees exactly what it would see Δ seconds later, so the figures
 * are exact and nothing depends on the machine's load (issue 7: the
 * real-time measurement is `npm run bench -- --suite sync`, ETA truth).
 */

let db: TestDatabase;
const orgId = randomUUID();

beforeAll(async () => {
  db = await createTestDatabase('eta_window');
});
afterAll(async () => {
  await db?.drop();
});

interface Figures {
  speed: number | null;
  eta: number | null;
  samples: [number, number][];
}

/** A sync row driven on a simulated clock inside one transaction. */
class SimulatedSync {
  private clock = 0;
  constructor(
    private readonly c: pg.PoolClient,
    readonly syncId: string,
  ) {}

  static async start(c: pg.PoolClient, total: number): Promise<SimulatedSync> {
    const syncId = `sync-eta-${randomUUID().slice(0, 8)}`;
    await c.query(
      `INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items, status)
       VALUES ($1, $2, 'customer', $3, 'in_progress')`,
      [orgId, syncId, total],
    );
    return new SimulatedSync(c, syncId);
  }

  /** At simulated second `at` (≥ the last one), writes the counts (and whatever `set` adds). */
  async at(at: number, processed: number, failed = 0): Promise<Figures> {
    const shift = at - this.clock;
    this.clock = at;
    const { rows } = await this.c.query<{
      speed: string | null;
      eta: number | null;
      samples: [number, number][];
    }>(
      `UPDATE sync_progress
          SET started_at = started_at - make_interval(secs => $3),
              progress_samples = COALESCE((SELECT jsonb_agg(jsonb_build_array((s ->> 0)::numeric - $3, s -> 1))
                                             FROM jsonb_array_elements(progress_samples) s), '[]'::jsonb),
              processed_count = $4, failed_count = $5
        WHERE org_id = $1 AND sync_id = $2
        RETURNING speed_items_per_min::text AS speed, eta_seconds AS eta, progress_samples AS samples`,
      [orgId, this.syncId, shift, processed, failed],
    );
    const row = rows[0]!;
    return { speed: row.speed === null ? null : Number(row.speed), eta: row.eta, samples: row.samples };
  }
}

async function simulate<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  // Rolled back: nothing of the simulation stays.
  return inTransaction(db.pool, fn, { rollback: true });
}

describe('the window', () => {
  test('worked example: 2,000 done 40 s ago, 4,000 now, of 8,000 after 100 s → 3,000/min, ETA 80 s (0024 said 100 s)', async () => {
    const figures = await simulate(async (c) => {
      const sync = await SimulatedSync.start(c, 8000);
      await sync.at(60, 2000); // the first sample: 0024's figure, 2,000 in 60 s
      return sync.at(100, 4000);
    });
    // Window: max(1 s, 100 s / 2) = 50 s holds the sample of 40 s ago: 2,000 items in 40 s.
    expect(figures.speed).toBe(3000);
    expect(figures.eta).toBe(80);
    expect(figures.samples.map(([, done]) => done)).toEqual([2000, 4000]);
  });

  test('the first sample alone gives the seed figures (average since the start)', async () => {
    const figures = await simulate(async (c) => {
      const sync = await SimulatedSync.start(c, 5000);
      return sync.at(100, 1000);
    });
    expect(figures).toMatchObject({ speed: 600, eta: 400 });
  });

  test('samples older than the window leave it; one at its edge stays', async () => {
    const figures = await simulate(async (c) => {
      const sync = await SimulatedSync.start(c, 100_000);
      // 100 items/s for 50 s, then 20 items/s.
      const done = (t: number) => (t <= 50 ? 100 * t : 5000 + 20 * (t - 50));
      for (let t = 10; t <= 100; t += 10) await sync.at(t, done(t));
      return sync.at(110, done(110));
    });
    // Window max(1 s, 110 s / 2) = 55 s: back to the sample at t = 50, its edge; older ones left.
    expect(figures.samples.map(([, d]) => d)).toEqual([5000, 5200, 5400, 5600, 5800, 6000, 6200]);
    expect(figures.speed).toBe(1200); // 20 items/s: the slow-down is the speed now
    expect(figures.eta).toBe(4690); // 93,800 left at 20/s (0024: 93,800 / (6,200 / 110 s) = 1,664 s)
  });

  test('an update that does not advance lowers the speed as time passes', async () => {
    const figures = await simulate(async (c) => {
      const sync = await SimulatedSync.start(c, 10_000);
      await sync.at(10, 1000);
      await sync.at(20, 2000);
      return sync.at(30, 2000); // a heartbeat or a phase: nothing done for 10 s
    });
    // (2,000 − 1,000) in the 20 s since the window's oldest sample.
    expect(figures.speed).toBe(3000);
    expect(figures.eta).toBe(160);
  });

  test('the row holds a bounded window however often batches commit', async () => {
    const figures = await simulate(async (c) => {
      const sync = await SimulatedSync.start(c, 1_000_000);
      for (let i = 1; i <= 600; i++) await sync.at(i * 0.05, i * 100); // 20 commits a second for 30 s
      return sync.at(30.05, 60_100);
    });
    expect(figures.samples.length).toBeLessThanOrEqual(32);
    expect(figures.speed).toBeCloseTo(120_000, -1); // 2,000 items/s
  });
});

/**
 * The engine's page flow against a source answering every request after
 * `latency` seconds, `concurrency` requests in flight (the walk speculates
 * once the first page has answered, and asks for the page `concurrency − 1`
 * ahead each time it takes one), each page committed in `commit` seconds, one
 * commit at a time. Returns the progress updates: (transaction start, done).
 */
function pageFlow(options: {
  total: number;
  perPage: number;
  latency: number;
  concurrency: number;
  commit: number;
  /** From this page on, every request takes this long (a source that slows down). */
  slowFrom?: { page: number; latency: number };
}): { updates: { at: number; done: number }[]; end: number } {
  const pages = Math.ceil(options.total / options.perPage);
  const asked: number[] = [];
  const taken: number[] = [];
  const updates: { at: number; done: number }[] = [];
  let committed = 0;
  for (let i = 0; i < pages; i++) {
    const latency =
      options.slowFrom && i >= options.slowFrom.page ? options.slowFrom.latency : options.latency;
    const ahead = Math.max(1, options.concurrency - 1);
    asked[i] = i === 0 ? 0 : i <= ahead ? asked[0]! + options.latency : taken[i - ahead]!;
    const arrived = asked[i]! + latency;
    taken[i] = Math.max(arrived, taken[i - 1] ?? 0);
    const begins = Math.max(taken[i]!, committed);
    committed = begins + options.commit;
    updates.push({ at: begins, done: Math.min(options.total, (i + 1) * options.perPage) });
  }
  return { updates, end: committed };
}

/** ETA read at the first update reaching each share, against the time that really remained. */
async function etaTruth(flow: ReturnType<typeof pageFlow>, total: number) {
  return simulate(async (c) => {
    const sync = await SimulatedSync.start(c, total);
    const marks = [0.25, 0.5, 0.75];
    const readings: { share: number; eta: number; remaining: number; fromSpeed: number }[] = [];
    for (const u of flow.updates) {
      const figures = await sync.at(u.at, u.done);
      const share = marks[readings.length];
      if (share !== undefined && u.done >= share * total) {
        readings.push({
          share,
          eta: figures.eta!,
          remaining: flow.end - u.at,
          fromSpeed: ((total - u.done) / figures.speed!) * 60,
        });
      }
    }
    return readings;
  });
}

/**
 * Both the trigger's speed (what remains ÷ its speed) and eta_seconds itself (tenths of a
 * second since …_eta_tenths) within ±10 % of what really remained: at 75 % of a six-second
 * sync about 1.5 s remain, so whole seconds could not be.
 */
function expectTruthful(readings: Awaited<ReturnType<typeof etaTruth>>): void {
  expect(readings.map((r) => r.share)).toEqual([0.25, 0.5, 0.75]);
  for (const r of readings) {
    expect(Math.abs(r.fromSpeed - r.remaining) / r.remaining, `at ${r.share * 100} %`).toBeLessThanOrEqual(
      0.1,
    );
    expect(
      Math.abs(r.eta - r.remaining) / r.remaining,
      `eta_seconds at ${r.share * 100} %`,
    ).toBeLessThanOrEqual(0.1);
  }
}

describe('ETA truth on a steady source (issue 7, decided on the trigger alone)', () => {
  test('full: 8,000 customers, 99 a page, 250 ms a request, 4 in flight: within ±10 % at 25, 50, 75 %', async () => {
    const flow = pageFlow({ total: 8000, perPage: 99, latency: 0.25, concurrency: 4, commit: 0.015 });
    const readings = await etaTruth(flow, 8000);
    expectTruthful(readings);
    // 0024's average since the start carries the first page's wait (no prefetch yet) throughout.
    const first = flow.updates.find((u) => u.done >= 2000)!;
    const average = ((8000 - first.done) / first.done) * first.at;
    expect(Math.abs(average - (flow.end - first.at)) / (flow.end - first.at)).toBeGreaterThan(0.1);
  });

  test('incremental: 8,000 changed products, one request at a time (the modified walk), 250 ms each', async () => {
    const flow = pageFlow({ total: 8000, perPage: 99, latency: 0.25, concurrency: 1, commit: 0.015 });
    expectTruthful(await etaTruth(flow, 8000));
  });

  test('a long steady sync (50,000 customers) stays within ±10 % too', async () => {
    const flow = pageFlow({ total: 50_000, perPage: 99, latency: 0.25, concurrency: 4, commit: 0.015 });
    expectTruthful(await etaTruth(flow, 50_000));
  });
});
