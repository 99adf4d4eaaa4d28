import { sourceError, type SourceError } from '../../errors.js';
import { SourceHttpClient, type HttpFailure, type JsonResponse } from '../http/source-http.js';
import type { AdapterContext } from '../types.js';
import { authenticate, resolveAuth, type QueryPair, type WooAuth } from './auth.js';

/** Query values; `undefined` leaves the parameter out. */
export type WooQuery = Record<string, string | number | boolean | undefined>;

export interface WooListResponse {
  items: unknown[];
  /** `X-WP-Total`: items in the filtered set (absent on unpaginated routes). */
  total: number | undefined;
  /** `X-WP-TotalPages`. */
  totalPages: number | undefined;
  /** `Link` header targets by rel (`next`, `prev`). */
  links: Record<string, string>;
}

const API_PATH = '/wp-json/wc/v3';

/**
 * WooCommerce REST v3 over SourceHttpClient: authentication per attempt,
 * pagination headers, and WooCommerce's error body
 * `{ code, message, data: { status } }` in the typed error.
 */
export class WooClient {
  readonly apiBase: string;
  /** Credential values, for redaction wherever an error is worded. */
  readonly secrets: readonly string[];
  private readonly auth: WooAuth;
  private readonly http: SourceHttpClient;

  constructor(context: AdapterContext) {
    this.apiBase = apiBaseUrl(context.baseUrl);
    this.auth = resolveAuth(context.baseUrl, context.credentials, context.settings);
    this.secrets = [this.auth.consumerKey, this.auth.consumerSecret];
    this.http = new SourceHttpClient({
      source: 'WooCommerce',
      rateBudget: context.rateBudget,
      timeoutMs: context.httpTimeoutMs,
      requestRetries: context.requestRetries,
      retryBaseMs: context.retryBaseMs,
      maxRetryAfterMs: context.maxInPlaceRetryAfterMs,
      logger: context.logger,
      secrets: this.secrets,
      dispatcher: context.dispatcher,
      describeFailure: describeWooFailure,
    });
  }

  /** GET `{base}/wp-json/wc/v3/{route}` expecting a JSON array. */
  async list(route: string, query: WooQuery, signal?: AbortSignal): Promise<WooListResponse> {
    const url = `${this.apiBase}/${route.replace(/^\/+/, '')}`;
    const pairs: QueryPair[] = Object.entries(query)
      .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
      .map(([k, v]) => [k, String(v)]);
    const response = await this.http.requestJson(() => authenticate(this.auth, 'GET', url, pairs), {
      signal,
      checkBody: (res) => (Array.isArray(res.body) ? undefined : notAnArray(route, res)),
    });
    return {
      items: response.body as unknown[],
      total: intHeader(response.headers.get('x-wp-total')),
      totalPages: intHeader(response.headers.get('x-wp-totalpages')),
      links: parseLinkHeader(response.headers.get('link')),
    };
  }
}

/** `{base}/wp-json/wc/v3`, whether the configured URL is the store root or already the API root. */
export function apiBaseUrl(baseUrl: string): string {
  const root = baseUrl.trim().replace(/\/+$/, '');
  if (root.endsWith(API_PATH)) return root;
  if (root.endsWith('/wp-json')) return `${root}/wc/v3`;
  return `${root}${API_PATH}`;
}

/** RFC 8288 `Link: <url>; rel="next", <url>; rel="prev"` → `{ next, prev }`. */
export function parseLinkHeader(value: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  if (!value) return links;
  for (const part of value.split(/,(?=\s*<)/)) {
    const match = /<([^>]*)>(.*)/.exec(part.trim());
    if (!match) continue;
    const rel = /rel="?([^";]+)"?/i.exec(match[2] ?? '');
    if (rel?.[1]) for (const name of rel[1].trim().split(/\s+/)) links[name] = match[1]!;
  }
  return links;
}

/** WooCommerce's `{code, message, data}` → message and details; other bodies keep the generic wording. */
export function describeWooFailure(
  failure: HttpFailure,
): { message: string; details?: Record<string, unknown> } | undefined {
  const body = failure.json as { code?: unknown; message?: unknown; data?: { params?: unknown } } | undefined;
  if (!body || typeof body !== 'object' || typeof body.code !== 'string') return undefined;
  const message = typeof body.message === 'string' ? body.message : '';
  const hint =
    failure.status === 401
      ? ' (check the consumer key and secret, their read permission, and settings.authMode)'
      : '';
  const params = body.data && typeof body.data === 'object' ? body.data.params : undefined;
  return {
    message: `${body.code}: ${message}${hint}`,
    details: { wooCode: body.code, ...(params ? { params } : {}) },
  };
}

function notAnArray(route: string, res: JsonResponse): SourceError {
  const shape = res.body === null ? 'null' : typeof res.body;
  return sourceError({
    kind: 'bad_response',
    message: `WooCommerce ${route}: expected a JSON array, got ${shape}`,
    status: res.status,
  });
}

function intHeader(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
