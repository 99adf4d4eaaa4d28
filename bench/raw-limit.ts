import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pLimit from 'p-limit';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { WooCommerceAdapter } from '../src/adapters/woocommerce/adapter.js';
import type { MapResult } from '../src/adapters/types.js';
import { contentHash } from '../src/sync/content-hash.js';
import type { FakeStoreProcess } from './bench-env.js';

export interface RawResult {
  records: number;
  fetchSeconds: number;
  loadSeconds: number;
  seconds: number;
  recordsPerSecond: number;
}

function copyText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * The raw limit: the same pages fetched with plain HTTP (`fetch`, keys in the
 * query string, `concurrency` at a time, 100 per page by id), mapped to the
 * same canonical rows, then the fastest bulk load we know: COPY into a
 * staging table and one INSERT … ON CONFLICT into sync_record.
 */
export async function rawLimit(
  store: FakeStoreProcess,
  databaseUrl: string,
  target: { orgId: string; connectionId: string },
  concurrency: number,
): Promise<RawResult> {
  const mapper = new WooCommerceAdapter({
    connectionId: target.connectionId,
    baseUrl: store.url,
    credentials: { key: store.consumerKey, secret: store.consumerSecret },
    settings: { authMode: 'query' },
  });
  const started = performance.now();
  const pages = await fetchPlainPages(store, concurrency);
  const lines = copyLines(pages.flat(), (item) => mapper.map('customer', item));
  const fetched = performance.now();
  await loadRaw(lines, databaseUrl, target);
  const done = performance.now();
  return rawResult(lines.length, started, fetched, done);
}

/**
 * Plain fetching: every page of customers (100 per page by id, keys in the
 * query string) with `fetch`, the first alone (it tells the page count), the
 * rest `concurrency` at a time (p-limit). Returns the pages' raw items.
 */
export async function fetchPlainPages(store: FakeStoreProcess, concurrency: number): Promise<unknown[][]> {
  const api = `${store.url}/wp-json/wc/v3/customers`;
  const auth = `consumer_key=${store.consumerKey}&consumer_secret=${store.consumerSecret}`;
  const first = await fetch(`${api}?per_page=100&page=1&orderby=id&order=asc&${auth}`);
  const totalPages = Number(first.headers.get('x-wp-totalpages'));
  const pages: unknown[][] = [(await first.json()) as unknown[]];
  const limit = pLimit(concurrency);
  const rest = await Promise.all(
    Array.from({ length: totalPages - 1 }, (_, i) =>
      limit(async () => {
        const res = await fetch(`${api}?per_page=100&page=${i + 2}&orderby=id&order=asc&${auth}`);
        return (await res.json()) as unknown[];
      }),
    ),
  );
  pages.push(...rest);
  return pages;
}

/** Mapped raw items as COPY text lines (external id, data, content hash, updated). */
export function copyLines(items: unknown[], map: (item: unknown) => MapResult): string[] {
  const lines: string[] = [];
  for (const item of items) {
    const mapped = map(item);
    if (!mapped.ok) continue;
    const r = mapped.record;
    lines.push(
      `${copyText(r.externalId)}\t${copyText(JSON.stringify(r.data))}\t${contentHash(r.data)}\t${
        r.sourceUpdatedAt ? r.sourceUpdatedAt.toISOString() : '\\N'
      }\n`,
    );
  }
  return lines;
}

/** The fastest bulk load we know: COPY into a staging table, one INSERT … ON CONFLICT into sync_record. */
export async function loadRaw(
  lines: string[],
  databaseUrl: string,
  target: { orgId: string; connectionId: string },
): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE staging (external_id text, data jsonb, content_hash text, source_updated_at timestamptz) ON COMMIT DROP`,
    );
    await pipeline(Readable.from(lines), client.query(copyFrom('COPY staging FROM STDIN')));
    await client.query(
      `INSERT INTO sync_record (org_id, connection_id, entity_type, external_id, data, content_hash, source_updated_at, last_sync_id)
       SELECT $1, $2, 'customer', external_id, data, content_hash, source_updated_at, 'raw'
         FROM staging
       ON CONFLICT (connection_id, entity_type, external_id) DO UPDATE
          SET data = EXCLUDED.data, content_hash = EXCLUDED.content_hash, last_synced_at = now()
        WHERE sync_record.content_hash <> EXCLUDED.content_hash`,
      [target.orgId, target.connectionId],
    );
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

export function rawResult(records: number, started: number, fetched: number, done: number): RawResult {
  const seconds = (done - started) / 1000;
  return {
    records,
    fetchSeconds: (fetched - started) / 1000,
    loadSeconds: (done - fetched) / 1000,
    seconds,
    recordsPerSecond: records / seconds,
  };
}
