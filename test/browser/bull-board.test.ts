import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import type { JobProgress } from '../../src/workers/job-reporter.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import {
  ARTIFACTS_DIR,
  basicAuthHeader,
  chromiumMissing,
  launchChromium,
  type HeadlessChromium,
} from '../helpers/browser.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Bull Board in a real browser (Debian's headless Chromium driven by
 * playwright-core): basic auth, the queues, a running sync's progress and a
 * finished sync's log, with screenshots under test/artifacts/.
 */

const USER = 'board';
const PASSWORD = 'board-password';
const missing = chromiumMissing();

let h: SyncHarness;
let app: FastifyInstance;
let fake: FakeWooServer;
let browser: HeadlessChromium;
let board: string;
let connection: { id: string; orgId: string };
/** Opens the store's gate: requests past the first few wait for it. */
let release: () => void = () => undefined;

beforeAll(async () => {
  if (missing) return;
  h = await createSyncHarness('board', {
    BULL_BOARD_USER: USER,
    BULL_BOARD_PASSWORD: PASSWORD,
    SYNC_JWT_SECRET: 'browser-test-jwt-secret-0123456789abcdef',
    SYNC_BATCH_SIZE: '100',
  });
  await h.startWorkers();
  app = await buildServer(h.runtime, { checkDbRole: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  board = `${url}/admin/queues`;
  fake = await startFakeWooCommerce({ customers: 2000, seed: 9, latencyMs: 5 });
  connection = await h.addConnection(fake.connection());
  await h.db.pool.query(`UPDATE integration_connection SET name = 'demo store' WHERE id = $1`, [
    connection.id,
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  release();
  await browser?.close();
  await app?.close();
  await h?.close();
  await fake?.close();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS_DIR, name), fullPage: true });

/** Waits until the element stops moving (the log panel scrolls smoothly to its end). */
async function settled(page: Page, element: ReturnType<Page['getByText']>): Promise<void> {
  let previous: number | undefined;
  await waitFor(
    async () => {
      const y = (await element.boundingBox())?.y;
      const still = y !== undefined && y === previous;
      previous = y;
      return still;
    },
    { intervalMs: 150, what: 'the log panel to stop scrolling' },
  );
}

/** Clicks a job's tab (Data, Progress, Options, Logs, Error) and any "show" button behind it. */
async function openTab(page: Page, name: string): Promise<void> {
  await page.getByText(name, { exact: true }).first().click();
  const show = page.getByRole('button', { name: /^Show /i });
  if (await show.count()) await show.first().click();
}

describe('Bull Board in a browser', () => {
  test('refuses a visit without credentials (401)', async (ctx) => {
    if (missing) return ctx.skip(missing);
    const context = await browser.context();
    const page = await context.newPage();
    // Headless Chromium answers a Basic challenge on a navigation by giving up.
    await expect(page.goto(board)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    // A page's own request sees the 401 and its body (without credentials: with them, Chromium
    // would wait for someone to answer its login prompt).
    const other = await context.newPage();
    await other.goto(board.replace('/admin/queues', '/healthz'));
    const answer = await other.evaluate(async (path) => {
      const res = await fetch(path, { credentials: 'omit' });
      return { status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.json() };
    }, '/admin/queues/api/queues');
    expect(answer.status).toBe(401);
    expect(answer.challenge).toMatch(/^Basic realm="Bull Board"/);
    expect(answer.body).toEqual({ error: expect.objectContaining({ code: 'UNAUTHORIZED' }) });
    await context.close();
  });

  test('lists the queues, shows a running sync’s progress and a finished sync’s log', async (ctx) => {
    if (missing) return ctx.skip(missing);
    const context = await browser.context(basicAuthHeader(USER, PASSWORD));
    const page = await context.newPage();
    const home = await page.goto(board);
    expect(home?.status()).toBe(200);
    for (const name of Object.values(QueueNames)) {
      await page.getByText(name, { exact: true }).first().waitFor();
    }
    await shot(page, 'bull-board-queues.png');

    // A sync that stops in the middle (the store holds its answers) is visibly running.
    const held = new Promise<void>((resolve) => (release = resolve));
    fake.options.onRequest = async (n) => {
      if (n > 12) await held;
    };
    const { syncId } = await enqueueSync(h.runtime, { connectionId: connection.id, entityType: 'customer' });
    const queue = h.runtime.queue(QueueNames.woocommerce);
    const running = await waitFor(
      async () => {
        const job = await queue.getJob(syncId);
        const progress = job?.progress as JobProgress | undefined;
        return progress && progress.batch >= 2 ? job : null;
      },
      { what: 'the sync to commit two batches' },
    );
    await page.goto(`${board}/queue/${QueueNames.woocommerce}?status=active`);
    await page.getByText(running.name).waitFor();
    expect(running.name).toBe('customer · demo store');
    // The progress circle, between 0 and 100 %, and the Progress tab with the triggers' figures.
    const circle = page.getByText(/^\d{1,3}%$/);
    await circle.waitFor();
    const percent = Number(((await circle.textContent()) ?? '').replace('%', ''));
    expect(percent).toBeGreaterThan(0);
    expect(percent).toBeLessThan(100);
    await openTab(page, 'Progress');
    const shown = page.locator('main').getByText('etaSeconds');
    await shown.waitFor();
    await page.getByText('"fetching"').first().waitFor();
    await shot(page, 'bull-board-running.png');

    release();
    await h.waitForStatus(syncId, ['completed']);
    await page.goto(`${board}/queue/${QueueNames.woocommerce}/${syncId}`);
    await page.getByText('customer · demo store').waitFor();
    await page.getByText('100%', { exact: true }).waitFor();
    await openTab(page, 'Logs');
    await page.getByText('started: full sync of 2,000 items (manual trigger)').waitFor();
    // Group commit: the first batch is whatever pages were ready, at least one.
    await page.getByText(/batch 1: [\d,]+ of 2,000 \(\d+%\)/).waitFor();
    // The walk saw a consistent snapshot: its own ids serve the deletion diff.
    await page
      .getByText('the walk met all 2,000 ids at the source (no id scan needed)', { exact: false })
      .waitFor();
    const last = page.getByText(
      'completed: 2,000 processed, 0 failed · created 2,000, updated 0, unchanged 0, deleted 0',
    );
    await last.waitFor();
    await last.scrollIntoViewIfNeeded();
    await settled(page, last);
    await shot(page, 'bull-board-finished.png');
    await context.close();
  });
});
