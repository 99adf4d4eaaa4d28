import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { apiEnv, JWT_SECRET } from '../api/harness.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { runCli } from '../helpers/cli.js';
import { dumpRedis } from '../helpers/redis-dump.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

// The suite's bad-credential and bad-URL cases, run with every log line captured (trace level),
// every API response kept, and every Redis key and job read at the end: no secret used here
// appears in any of them.

const unique = () => randomBytes(8).toString('hex');
const wrong = { key: `ck_wrong${unique()}`, secret: `cs_wrong${unique()}` };
const inUrl = { key: `ck_url${unique()}`, secret: `cs_url${unique()}` };
const echoed = { key: `ck_echo${unique()}`, secret: `cs_echo${unique()}` };
const password = `url-password-${unique()}`;
const SECRETS = [wrong.key, wrong.secret, inUrl.key, inUrl.secret, echoed.key, echoed.secret, password];

const logLines: string[] = [];
const responses: string[] = [];
const cliOutputs: string[] = [];
let h: SyncHarness;
let api: { app: FastifyInstance; runtime: Runtime };
let fake: FakeWooServer;
let echoing: FakeWooServer;
let orgId: string;
let userId: string;
const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'timeout'];

beforeAll(async () => {
  const logger = createLogger('trace', 'sync-worker', { write: (line: string) => void logLines.push(line) });
  h = await createSyncHarness(
    'secrets',
    { SYNC_MAX_ATTEMPTS: '2', SYNC_BACKOFF_BASE: '100ms', LOG_LEVEL: 'trace' },
    { logger },
  );
  fake = await startFakeWooCommerce({ customers: 5 });
  // A store that quotes the request (and its keys) back in every error page.
  echoing = await startFakeWooCommerce({
    customers: 5,
    consumerKey: echoed.key,
    consumerSecret: echoed.secret,
  });
  echoing.options.inject = (n, request) => ({
    status: n % 2 ? 500 : 403,
    headers: { 'content-type': 'text/html' },
    body: `<h1>Denied</h1><p>key=${request.query.consumer_key} secret=${request.query.consumer_secret}\u0007\u202e</p>`,
  });
  const config = loadConfig({ ...apiEnv(h.db, h.redis), LOG_LEVEL: 'trace' });
  const runtime = createRuntime(config, { logger, poolSize: 2 });
  api = { app: await buildServer(runtime), runtime };
  await api.app.ready();
  orgId = randomUUID();
  userId = randomUUID();
  await h.db.pool.query('INSERT INTO auth.users_extended (id, org_id) VALUES ($1, $2)', [userId, orgId]);
  await h.startWorkers();
});

afterAll(async () => {
  await api?.app.close();
  await api?.runtime.close();
  await h?.close();
  await fake?.close();
  await echoing?.close();
});

async function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(JWT_SECRET));
  const res = await api.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  responses.push(`${res.statusCode} ${JSON.stringify(res.headers)} ${res.body}`);
  return res;
}

async function failedSync(baseUrl: string, credentials: { key: string; secret: string }, authMode: string) {
  const connection = await h.addConnection({ baseUrl, credentials, settings: { authMode }, orgId });
  const { syncId } = await enqueueSync(h.runtime, { connectionId: connection.id, entityType: 'customer' });
  expect(await h.waitForStatus(syncId, TERMINAL, 90_000)).toBe('failed');
  await call('GET', `/api/v1/syncs/${syncId}`);
  return syncId;
}

describe('bad credentials and bad URLs leave no secret anywhere', () => {
  test.each(['basic', 'oauth1', 'query'])('wrong credentials (%s): the sync fails', async (authMode) => {
    await failedSync(fake.url, wrong, authMode);
  });

  test('a store that echoes the keys in its error pages (5xx retried, then 403)', async () => {
    await failedSync(echoing.url, echoed, 'query');
  });

  test('a redirect to another origin with the keys in the query', async () => {
    fake.options.inject = () => ({
      status: 302,
      headers: { location: 'http://127.0.0.1:1/elsewhere' },
      body: '',
    });
    try {
      await failedSync(fake.url, inUrl, 'query');
    } finally {
      fake.options.inject = undefined;
    }
  });

  test('a refused address with the keys in the query', async () => {
    await failedSync(`http://[::1]:${new URL(fake.url).port}`, inUrl, 'query');
  });

  test('POST /connections with keys in the base URL, or in user-info, or at a refused address', async () => {
    const base = { type: 'woocommerce', credentials: { key: inUrl.key, secret: inUrl.secret } };
    for (const baseUrl of [
      `shop.test/wp-json?consumer_key=${inUrl.key}&consumer_secret=${inUrl.secret}`,
      `https://shop.test/wp-json?consumer_key=${inUrl.key}&consumer_secret=${inUrl.secret}`,
      `https://admin:${password}@shop.test/`,
      `https://shop.test/#${password}`,
      'http://169.254.169.254/latest/meta-data',
    ]) {
      const res = await call('POST', '/api/v1/connections', { ...base, name: `n-${unique()}`, baseUrl });
      expect([400, 422]).toContain(res.statusCode);
    }
    // Unknown fields carrying secrets are named, not quoted.
    const extra = await call('POST', '/api/v1/connections', {
      ...base,
      name: 'extra',
      baseUrl: 'https://shop.example.invalid',
      consumer_secret: inUrl.secret,
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.details.issues).toEqual(['body.consumer_secret: is not a known field']);
  });

  test('sync-worker connection add with keys in the URL', async () => {
    const result = await runCli(
      ['connection', 'add', '--org', orgId, '--type', 'woocommerce', '--name', 'cli-bad-url']
        .concat(['--url', `shop.test/wp-json?consumer_key=${inUrl.key}&consumer_secret=${inUrl.secret}`])
        .concat(['--key', wrong.key, '--secret', wrong.secret, '--json']),
      { ...h.env, LOG_LEVEL: 'trace' },
    );
    expect(result.code).toBe(2);
    cliOutputs.push(result.stdout, result.stderr);
  });

  test('the failed syncs and activity read back through the API', async () => {
    await call('GET', '/api/v1/syncs?limit=50');
    await call('GET', '/api/v1/activity?limit=200');
    await call('GET', '/api/v1/connections');
  });

  test('grep: log lines, API responses, CLI output, Redis (jobs and every key), stored progress and activity', async () => {
    const queue = h.runtime.queue(QueueNames.woocommerce);
    const jobs = await queue.getJobs(['failed', 'completed', 'waiting', 'active', 'delayed']);
    expect(jobs.length).toBeGreaterThanOrEqual(6);
    const jobText = jobs
      .map((job) => JSON.stringify([job.data, job.stacktrace, job.failedReason, job.returnvalue]))
      .join('\n');
    // The failures are there, worded: the grep has something to look at.
    expect(jobText).toMatch(/SOURCE_AUTH_FAILED|401/);
    expect(jobText).toMatch(/EGRESS_DENIED|egress denied/);
    expect(logLines.length).toBeGreaterThan(20);
    const { rows } = await h.db.pool.query(
      `SELECT (SELECT json_agg(p) FROM sync_progress p)::text AS progress,
              (SELECT json_agg(a) FROM sync_activity_log a)::text AS activity`,
    );
    const places: Record<string, string> = {
      logs: logLines.join(''),
      responses: responses.join('\n'),
      cli: cliOutputs.join('\n'),
      jobs: jobText,
      redis: await dumpRedis(h.redis.url, h.redis.prefix),
      progress: rows[0].progress,
      activity: rows[0].activity,
    };
    for (const [place, text] of Object.entries(places)) {
      for (const secret of SECRETS) {
        expect(text.includes(secret), `${place} holds a secret`).toBe(false);
      }
    }
    // Nor the control and bidi characters of the echoing store's pages.
    expect(places.activity).not.toMatch(/\\u0007|\u202e/);
  });
});
