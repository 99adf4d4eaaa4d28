import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './data.js';
import { type FakeAnswer, wooError } from './listing.js';
import { checkOAuth } from './oauth.js';
import { routeRequest } from './routes.js';
import { FakeWooStore, type FakeStoreOptions } from './store.js';

/**
 * A fake WooCommerce store (REST v3) on 127.0.0.1, faithful to
 * /work/shared/API_CONTRACTS.md §WooCommerce: the three auth modes (OAuth
 * signatures really verified), paging and its headers, per-route orderby
 * validation, modified filters with the local-time-zone trap, `_fields`,
 * error bodies; plus injected trouble (5xx, 429 bursts, HTML pages) and hooks
 * to change the data while a client walks it.
 */

export type AuthMode = 'basic' | 'oauth1' | 'query' | 'none';

export interface FakeRequest {
  /** 1-based arrival number. */
  n: number;
  /** Arrival time (ms since the epoch), before any injected latency. */
  at: number;
  method: string;
  /** Path after `/wp-json/wc/v3/` (or the whole path outside the API). */
  route: string;
  query: Record<string, string>;
  auth: AuthMode;
}

export interface FakeRequestLog extends FakeRequest {
  status: number;
  /** Why the fake answered instead of the store: 'inject' | 'rate-limit' | 'failure'. */
  trouble?: string;
}

export interface RateLimitOptions {
  /** Every `every`-th request (and the `burst − 1` after it) is refused. */
  every: number;
  /** @defaultValue 1 */
  burst?: number;
  /** @defaultValue 1 */
  retryAfterSeconds?: number;
  /** How Retry-After is written. @defaultValue 'seconds' */
  retryAfterForm?: 'seconds' | 'http-date';
  /** @defaultValue 429 */
  status?: 429 | 503;
}

/** Behaviour that tests may change while the server runs (`server.options.x = …`). */
export interface FakeWooBehaviour {
  /** Fraction of requests answered 500 (deterministic from `seed`). @defaultValue 0 */
  failureRate?: number;
  rateLimit?: RateLimitOptions;
  /** Injected errors (500, 429) as text/html pages; otherwise 500s alternate JSON and HTML. @defaultValue false */
  htmlErrors?: boolean;
  /** Records tied on the sort key come back in random order. @defaultValue false */
  unstableTies?: boolean;
  /** Called (and awaited) on every request before it is answered. */
  onRequest?: (count: number, request: FakeRequest) => void | Promise<void>;
  /** Answer this request yourself (return undefined to let the store answer). */
  inject?: (count: number, request: FakeRequest) => FakeAnswer | undefined;
  /** Delay before every answer. @defaultValue 0 */
  latencyMs?: number;
}

export interface FakeWooOptions extends FakeStoreOptions, FakeWooBehaviour {
  consumerKey?: string;
  consumerSecret?: string;
}

export interface FakeWooServer {
  /** The store root, e.g. `http://127.0.0.1:40123` (API under `/wp-json/wc/v3`). */
  url: string;
  consumerKey: string;
  consumerSecret: string;
  store: FakeWooStore;
  /** Every request, in arrival order, with its answer's status. */
  requests: FakeRequestLog[];
  readonly requestCount: number;
  options: FakeWooBehaviour;
  /** `baseUrl`, `credentials` ({ key, secret }, as `connection add` stores them), `settings` for an AdapterContext or a connection pointing here. */
  connection(settings?: Record<string, unknown>): {
    baseUrl: string;
    credentials: Record<string, string>;
    settings: Record<string, unknown>;
  };
  close(): Promise<void>;
}

const API = '/wp-json/wc/v3/';

export async function startFakeWooCommerce(options: FakeWooOptions = {}): Promise<FakeWooServer> {
  const store = new FakeWooStore(options);
  const consumerKey = options.consumerKey ?? 'ck_4f1d2a7c9e0b3d5f6a8c1e2b4d6f8a0c2e4b6d8f';
  const consumerSecret = options.consumerSecret ?? 'cs_9b7d5f3a1c8e6b4d2f0a9c7e5b3d1f8a6c4e2b0d';
  const trouble = seededRandom((options.seed ?? 1) ^ 0x5eed);
  const ties = seededRandom((options.seed ?? 1) ^ 0x7135);
  const usedNonces = new Set<string>();
  const requests: FakeRequestLog[] = [];
  const behaviour: FakeWooBehaviour = { ...options };
  let count = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const at = Date.now();
    const n = ++count;
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const params = parseQuery(url.search);
    const inApi = url.pathname.startsWith(API);
    const request: FakeRequest = {
      n,
      at,
      method: req.method ?? 'GET',
      route: inApi ? url.pathname.slice(API.length).replace(/\/+$/, '') : url.pathname,
      query: Object.fromEntries(params),
      auth: authMode(req, params),
    };
    await behaviour.onRequest?.(n, request);
    if (behaviour.latencyMs) await new Promise((r) => setTimeout(r, behaviour.latencyMs));
    let kind: string | undefined;
    let answer = behaviour.inject?.(n, request);
    if (answer) kind = 'inject';
    answer ??= rateLimited(n, behaviour) ?? undefined;
    if (answer && !kind) kind = 'rate-limit';
    if (!answer && trouble() < (behaviour.failureRate ?? 0)) {
      kind = 'failure';
      answer =
        behaviour.htmlErrors || trouble() < 0.5 ? htmlPage(500, 'Internal Server Error') : serverError();
    }
    if (!answer && !inApi) answer = htmlPage(404, 'Page not found');
    answer ??= authenticate(request, params, req, url);
    answer ??=
      request.method === 'GET'
        ? routeRequest(store, request.route, url, {
            unstableTies: behaviour.unstableTies ?? false,
            random: ties,
          })
        : wooError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    requests.push({ ...request, status: answer.status, ...(kind ? { trouble: kind } : {}) });
    send(res, answer);
  };

  const authenticate = (
    request: FakeRequest,
    params: Map<string, string>,
    req: IncomingMessage,
    url: URL,
  ) => {
    const denied = (message: string) => wooError(401, 'woocommerce_rest_authentication_error', message);
    switch (request.auth) {
      case 'query':
        if (params.get('consumer_key') !== consumerKey) return denied('Consumer key is invalid.');
        return params.get('consumer_secret') === consumerSecret
          ? undefined
          : denied('Consumer secret is invalid.');
      case 'basic': {
        const decoded = Buffer.from(String(req.headers.authorization).slice(6), 'base64').toString();
        const [key, secret] = [
          decoded.slice(0, decoded.indexOf(':')),
          decoded.slice(decoded.indexOf(':') + 1),
        ];
        if (key !== consumerKey) return denied('Consumer key is invalid.');
        return secret === consumerSecret ? undefined : denied('Consumer secret is invalid.');
      }
      case 'oauth1': {
        const result = checkOAuth({
          method: request.method,
          baseUri: `${url.protocol}//${url.host}${url.pathname}`,
          params,
          consumerKey,
          consumerSecret,
          usedNonces,
          nowSeconds: Math.floor(Date.now() / 1000),
        });
        return result.ok ? undefined : denied(result.message);
      }
      default:
        return wooError(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, htmlPage(500, `fake crashed: ${String(err)}`)));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const root = `http://127.0.0.1:${port}`;

  return {
    url: root,
    consumerKey,
    consumerSecret,
    store,
    requests,
    get requestCount() {
      return count;
    },
    options: behaviour,
    connection: (settings = {}) => ({
      baseUrl: root,
      credentials: { key: consumerKey, secret: consumerSecret },
      settings,
    }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** PHP-style query parsing: `+` is a space, percent-escapes decoded, last duplicate wins. */
function parseQuery(search: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    params.set(decode(eq < 0 ? part : part.slice(0, eq)), eq < 0 ? '' : decode(part.slice(eq + 1)));
  }
  return params;
}

function authMode(req: IncomingMessage, params: Map<string, string>): AuthMode {
  if (params.has('consumer_key')) return 'query';
  if (/^Basic /i.test(req.headers.authorization ?? '')) return 'basic';
  if (params.has('oauth_consumer_key')) return 'oauth1';
  return 'none';
}

function rateLimited(n: number, behaviour: FakeWooBehaviour): FakeAnswer | undefined {
  const limit = behaviour.rateLimit;
  if (!limit || n % limit.every >= (limit.burst ?? 1)) return undefined;
  const seconds = limit.retryAfterSeconds ?? 1;
  const retryAfter =
    limit.retryAfterForm === 'http-date'
      ? new Date(Date.now() + seconds * 1000).toUTCString()
      : String(seconds);
  const status = limit.status ?? 429;
  const answer = behaviour.htmlErrors
    ? htmlPage(status, status === 429 ? 'Too Many Requests' : 'Service Unavailable')
    : wooError(status, 'too_many_requests', 'Too many requests, slow down.');
  return { ...answer, headers: { ...answer.headers, 'retry-after': retryAfter } };
}

function serverError(): FakeAnswer {
  return wooError(500, 'internal_server_error', 'There has been a critical error on this website.');
}

function htmlPage(status: number, title: string): FakeAnswer {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=UTF-8' },
    body: `<!DOCTYPE html>\n<html><head><title>${status} ${title}</title></head>\n<body><center><h1>${status} ${title}</h1></center><hr><center>nginx</center></body></html>\n`,
  };
}

function send(res: ServerResponse, answer: FakeAnswer): void {
  const html = typeof answer.body === 'string';
  const body = html ? (answer.body as string) : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': html ? 'text/html; charset=UTF-8' : 'application/json; charset=UTF-8',
    ...answer.headers,
  });
  res.end(body);
}
