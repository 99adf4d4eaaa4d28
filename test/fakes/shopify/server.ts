import { getOperationAST, parse } from 'graphql';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeBulkOperations, type BulkTiming } from './bulk.js';
import { CostBucket } from './cost.js';
import { answerGraphql, type Trouble } from './execute-request.js';
import { rootValue } from './resolvers.js';
import { adminSchema, FIXTURE_API_VERSION } from './schema.js';
import { FakeShop, type FakeShopOptions } from './shop.js';

/**
 * A fake Shopify shop on 127.0.0.1, faithful to API_CONTRACTS.md §Shopify:
 * `POST /admin/api/<version>/graphql.json` with `X-Shopify-Access-Token`,
 * queries executed by `graphql` on Shopify's real Admin schema (see
 * test/fixtures/shopify), the cost bucket with `extensions.cost` and
 * THROTTLED, bulk operations with a JSONL file, and trouble on demand.
 */
export interface FakeShopifyOptions extends FakeShopOptions {
  token?: string;
  /** Cost bucket size. @defaultValue 1000 */
  bucketCapacity?: number;
  /** Points restored per second. @defaultValue 50 */
  restorePerSecond?: number;
  bulk?: BulkTiming;
  /** Delay before every answer (GraphQL and bulk files). @defaultValue 0 */
  latencyMs?: number;
}

export interface InjectedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface GraphqlRequestInfo {
  n: number;
  operationName: string | null;
  query: string;
  variables: Record<string, unknown>;
}

export interface FakeShopifyServer {
  /** The shop root, e.g. `http://127.0.0.1:40123` (the API under `/admin/api/<version>`). */
  url: string;
  token: string;
  apiVersion: string;
  shop: FakeShop;
  bucket: CostBucket;
  bulk: FakeBulkOperations;
  trouble: Trouble;
  /** Every GraphQL request, in arrival order. */
  requests: (GraphqlRequestInfo & { status: number; throttled: boolean })[];
  readonly requestCount: number;
  readonly throttledCount: number;
  /** The next answers, in order, instead of the shop's (429, 5xx, HTML…). */
  failNext(...answers: InjectedAnswer[]): void;
  /** Called before each GraphQL request is answered (change the shop mid-run here). */
  onRequest?: (info: GraphqlRequestInfo) => void | Promise<void>;
  /** Answer this request yourself (undefined: the queued answers, then the shop, answer). */
  inject?: (info: GraphqlRequestInfo) => InjectedAnswer | undefined;
  latencyMs: number;
  connection(settings?: Record<string, unknown>): {
    type: 'shopify';
    baseUrl: string;
    credentials: { token: string };
    settings: Record<string, unknown>;
  };
  close(): Promise<void>;
}

const INVALID_TOKEN = '[API] Invalid API key or access token (unrecognized login or wrong password)';

export async function startFakeShopify(options: FakeShopifyOptions = {}): Promise<FakeShopifyServer> {
  const schema = adminSchema();
  const shop = new FakeShop(options);
  const token = options.token ?? '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';
  const bucket = new CostBucket(options.bucketCapacity ?? 1000, options.restorePerSecond ?? 50);
  const trouble: Trouble = { denied: new Set(), internalErrors: new Map() };
  const injected: InjectedAnswer[] = [];
  let root = '';
  const bulk: FakeBulkOperations = new FakeBulkOperations(
    schema,
    (isBulk) => rootValue(shop, () => bulk, isBulk),
    (id, tokenOfFile) => `${root}/bulk-results/${id}.jsonl?signature=${tokenOfFile}`,
    options.bulk,
  );
  let count = 0;
  let throttled = 0;

  const server: FakeShopifyServer = {
    url: '',
    token,
    apiVersion: FIXTURE_API_VERSION,
    shop,
    bucket,
    bulk,
    trouble,
    requests: [],
    get requestCount() {
      return count;
    },
    get throttledCount() {
      return throttled;
    },
    failNext: (...answers) => void injected.push(...answers),
    latencyMs: options.latencyMs ?? 0,
    connection: (settings = {}) => ({ type: 'shopify', baseUrl: root, credentials: { token }, settings }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        http.close((err) => (err ? reject(err) : resolve()));
        http.closeAllConnections();
      }),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (server.latencyMs) await new Promise((r) => setTimeout(r, server.latencyMs));
    const file = /^\/bulk-results\/(\d+)\.jsonl$/.exec(url.pathname);
    if (req.method === 'GET' && file) {
      const text = bulk.file(Number(file[1]), url.searchParams.get('signature') ?? '');
      if (text === undefined)
        return send(
          res,
          403,
          '<?xml version="1.0"?><Error><Code>ExpiredToken</Code></Error>',
          'application/xml',
        );
      return send(res, 200, text, 'application/jsonl');
    }
    const api = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname);
    if (!api || req.method !== 'POST') return sendJson(res, 404, { errors: 'Not Found' });
    const raw = await readBody(req);
    const n = ++count;
    const body = parseJson(raw) as
      { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
    const info: GraphqlRequestInfo = {
      n,
      operationName:
        typeof body?.operationName === 'string' ? body.operationName : operationNameOf(body?.query),
      query: typeof body?.query === 'string' ? body.query : '',
      variables: (body?.variables ?? {}) as Record<string, unknown>,
    };
    await server.onRequest?.(info);
    const answer = server.inject?.(info) ?? injected.shift();
    if (answer) {
      server.requests.push({ ...info, status: answer.status, throttled: false });
      return typeof answer.body === 'string'
        ? send(res, answer.status, answer.body, 'text/html; charset=utf-8', answer.headers)
        : sendJson(res, answer.status, answer.body ?? { errors: 'Internal Server Error' }, answer.headers);
    }
    if (req.headers['x-shopify-access-token'] !== token) {
      server.requests.push({ ...info, status: 401, throttled: false });
      return sendJson(res, 401, { errors: INVALID_TOKEN });
    }
    if (api[1] !== FIXTURE_API_VERSION) {
      server.requests.push({ ...info, status: 404, throttled: false });
      return sendJson(res, 404, { errors: 'Not Found' });
    }
    if (!body) return sendJson(res, 400, { errors: { query: 'Required parameter missing or invalid' } });
    const result = answerGraphql({
      schema,
      bucket,
      query: body.query,
      variables: body.variables,
      rootValue: rootValue(shop, () => bulk, false),
      trouble,
    });
    if (result.throttled) throttled += 1;
    server.requests.push({ ...info, status: 200, throttled: result.throttled });
    sendJson(res, 200, result.body);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, `fake crashed: ${String(err)}`, 'text/plain'));
  });
  http.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  server.url = root;
  return server;
}

function operationNameOf(query: unknown): string | null {
  if (typeof query !== 'string') return null;
  try {
    return getOperationAST(parse(query))?.name?.value ?? null;
  } catch {
    return null;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8', headers);
}

function send(
  res: ServerResponse,
  status: number,
  text: string,
  type: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': type, ...headers });
  res.end(text);
}
