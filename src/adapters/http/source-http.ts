import type { Dispatcher } from 'undici';
import { defaultEgressDispatcher } from '../../egress/egress.js';
import { undici } from '../../egress/undici.js';
import { safeExcerpt } from '../../safe-text.js';
import {
  classify,
  EgressDeniedError,
  failureKindOfStatus,
  sourceError,
  type SourceFailureKind,
  type SyncWorkerError,
} from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AdapterContext, RateBudget, RateObservation } from '../types.js';
import { isCallerAbort } from './caller-abort.js';
import { bodyExcerpt, redactText, redactUrl } from './redact.js';
import { backoffDelayMs, parseRetryAfter } from './retry-after.js';
import { sleep } from '../../sleep.js';

export { parseRetryAfter } from './retry-after.js';

/** One attempt's request; built again before every attempt (OAuth nonces must be fresh). */
export interface PreparedRequest {
  /** @defaultValue 'GET' */
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A non-2xx answer, handed to `describeFailure` for the vendor's wording. */
export interface HttpFailure {
  status: number;
  /** The request URL, credentials redacted. */
  url: string;
  /** The parsed body when it was JSON, else undefined. */
  json: unknown;
  /** A short single-line excerpt of the body, credentials redacted. */
  excerpt: string;
  contentType: string;
  retryAfterMs: number | undefined;
}

/** How a vendor words a failed response (and, when its body says more than the status, what kind it is). */
export interface FailureDescription {
  message: string;
  kind?: SourceFailureKind;
  details?: Record<string, unknown>;
}

export interface SourceHttpOptions {
  /** Name used in error messages ("WooCommerce"). */
  source: string;
  /** The store's shared budget: `take()` before every attempt, `pause()` on 429/503 with Retry-After. */
  rateBudget?: RateBudget;
  /** Per-attempt timeout. @defaultValue 30000 */
  timeoutMs?: number;
  /** In-place retries of retryable and rate-limited failures. @defaultValue 4 */
  requestRetries?: number;
  /** First backoff ceiling; doubles per retry, full jitter. @defaultValue 500 */
  retryBaseMs?: number;
  /** Largest backoff ceiling. @defaultValue 30000 */
  maxBackoffMs?: number;
  /** A Retry-After longer than this is not waited out in place: the error goes to the job. @defaultValue 60000 */
  maxRetryAfterMs?: number;
  /** Literal values (keys, secrets, tokens) that must never appear in an error. */
  secrets?: readonly string[];
  /**
   * The egress-checked dispatcher (AdapterContext.dispatcher). @defaultValue the policy with nothing
   * allowed (src/egress/egress.ts)
   */
  dispatcher?: Dispatcher;
  /**
   * The vendor's message and details for a failed response. The HTTP status decides the kind of
   * failure, unless the vendor's body names it (`kind`: Odoo's JSON-2 answers a bad domain with
   * 500 and `builtins.ValueError`, which no retry can fix); either way `sourceError` decides the
   * code and retry class.
   */
  describeFailure?: (failure: HttpFailure) => FailureDescription | undefined;
  logger?: Logger;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /**
   * Units taken from the rate budget before each attempt: 1 for request
   * budgets, the query's requested cost for cost budgets (0: none).
   * @defaultValue 1
   */
  budgetUnits?: number;
  /**
   * Cost budgets: the shop's figures in an answer (Shopify `extensions.cost`),
   * handed to `RateBudget.settle` after every attempt — with the answer, or
   * undefined when there was none (network error, abort): then `{}`.
   */
  observeCost?: (response: JsonResponse | undefined) => RateObservation;
  /** A 2xx body that still means failure (GraphQL THROTTLED, JSON-RPC error): return its typed error. */
  checkBody?: (response: JsonResponse) => SyncWorkerError | undefined;
}

/** The engine's timing and retry knobs of an adapter context, as SourceHttpClient options. */
export function httpOptionsOf(
  context: Pick<
    AdapterContext,
    'httpTimeoutMs' | 'requestRetries' | 'retryBaseMs' | 'maxInPlaceRetryAfterMs' | 'logger' | 'dispatcher'
  >,
): Pick<
  SourceHttpOptions,
  'timeoutMs' | 'requestRetries' | 'retryBaseMs' | 'maxRetryAfterMs' | 'logger' | 'dispatcher'
> {
  return {
    dispatcher: context.dispatcher,
    timeoutMs: context.httpTimeoutMs,
    requestRetries: context.requestRetries,
    retryBaseMs: context.retryBaseMs,
    maxRetryAfterMs: context.maxInPlaceRetryAfterMs,
    logger: context.logger,
  };
}

/** No shared pacing: every request may go at once, pauses are local waits only. */
export const noRateBudget: RateBudget = { take: async () => {}, pause: async () => {} };

/** Longest vendor message (and detail string) quoted in an error, in characters. */
const MAX_VENDOR_MESSAGE_CHARS = 200;

/** Redirects followed within one attempt (same origin only). */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * A small JSON client over undici's fetch for source APIs: every connection
 * through the egress-checked dispatcher, redirects followed only within the
 * origin, timeout per attempt, rate budget, in-place retries with backoff and
 * Retry-After, typed errors (through `sourceError` / `classify` in errors.ts)
 * that never carry credentials and quote a body only as a short sanitised
 * excerpt.
 */
export class SourceHttpClient {
  private readonly budget: RateBudget;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly baseMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: SourceHttpOptions) {
    this.dispatcher = options.dispatcher ?? defaultEgressDispatcher();
    this.budget = options.rateBudget ?? noRateBudget;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = Math.max(0, options.requestRetries ?? 4);
    this.baseMs = options.retryBaseMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  }

  /** Sends the request, retrying in place; resolves with a parsed JSON body or throws a SyncWorkerError. */
  async requestJson(prepare: () => PreparedRequest, options: RequestOptions = {}): Promise<JsonResponse> {
    const { signal } = options;
    const units = options.budgetUnits ?? 1;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      if (units > 0) await this.budget.take(units, signal);
      const request = prepare();
      let error: SyncWorkerError;
      try {
        const response = await this.attempt(request, signal);
        await this.settle(units, response, options);
        const bodyError = options.checkBody?.(response);
        if (!bodyError) return response;
        error = bodyError;
      } catch (err) {
        await this.settle(units, undefined, options); // no readable answer to learn from
        if (isCallerAbort(err, signal)) throw err;
        error = classify(err, { where: this.options.source, redact: (text) => this.redactText(text) });
      }
      const waitMs = await this.retryWait(error, attempt);
      this.options.logger?.warn(
        { url: this.redact(request.url), attempt: attempt + 1, code: error.code, waitMs },
        `${this.options.source} request failed; retrying`,
      );
      await sleep(waitMs, signal);
    }
  }

  /** Cost budgets: what the attempt cost, exactly once per take. Never fails the request. */
  private async settle(units: number, response: JsonResponse | undefined, options: RequestOptions) {
    if (units <= 0 || !this.budget.settle) return;
    try {
      await this.budget.settle(units, options.observeCost?.(response) ?? {});
    } catch (err) {
      this.options.logger?.warn({ err }, `${this.options.source}: could not settle the rate budget`);
    }
  }

  /** How long to wait before the next attempt; throws the error when it must not be retried here. */
  private async retryWait(error: SyncWorkerError, attempt: number): Promise<number> {
    if (error.retry === 'fatal' || attempt >= this.retries) throw error;
    const retryAfterMs = error.retryAfterMs;
    if (error.retry === 'rate_limited' && retryAfterMs !== undefined) {
      // Other workers talking to this store must hold off too.
      if (retryAfterMs > 0) await this.budget.pause(retryAfterMs);
      if (retryAfterMs > this.maxRetryAfterMs) throw error;
      return retryAfterMs;
    }
    return backoffDelayMs(attempt, this.baseMs, this.maxBackoffMs);
  }

  private async attempt(request: PreparedRequest, signal: AbortSignal | undefined): Promise<JsonResponse> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const method = request.method ?? 'GET';
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let resHeaders: Headers;
    let text: string;
    try {
      ({
        status,
        headers: resHeaders,
        text,
      } = await this.fetchFollowingSameOrigin(
        request.url,
        method,
        headers,
        request.body === undefined ? undefined : JSON.stringify(request.body),
        combined,
      ));
    } catch (err) {
      if (err instanceof EgressDeniedError) throw err;
      if (isCallerAbort(err, signal)) throw err;
      if (timeout.aborted) {
        throw sourceError({
          kind: 'network',
          message: `${this.options.source} ${method} ${this.redact(request.url)}: no answer within ${this.timeoutMs} ms`,
          details: { timeoutMs: this.timeoutMs },
        });
      }
      throw classify(err, {
        where: `${this.options.source} ${method} ${this.redact(request.url)}`,
        redact: (text) => this.redactText(text),
      });
    }
    const contentType = resHeaders.get('content-type') ?? '';
    const json = tryParseJson(text);
    if (status >= 200 && status < 300) {
      if (json.ok) return { status, headers: resHeaders, body: json.value };
      throw sourceError({
        kind: 'bad_response',
        message:
          `${this.options.source} ${method} ${this.redact(request.url)}: expected JSON, got ` +
          `${contentType || 'no content type'} (${status}): "${this.excerpt(text)}"`,
        status,
        details: { contentType, excerpt: this.excerpt(text) },
      });
    }
    const failure: HttpFailure = {
      status,
      url: this.redact(request.url),
      json: json.ok ? json.value : undefined,
      excerpt: this.excerpt(text),
      contentType,
      retryAfterMs: parseRetryAfter(resHeaders.get('retry-after')),
    };
    const described = this.options.describeFailure?.(failure) ?? defaultDescription(failure);
    const prefix = `${this.options.source} ${method} ${failure.url}: ${status}`;
    // The vendor's words come from the store's body: redacted, then one short clean line.
    const vendor = safeExcerpt(this.redactText(described.message), MAX_VENDOR_MESSAGE_CHARS);
    throw sourceError({
      kind: described.kind ?? failureKindOfStatus(status, failure.retryAfterMs),
      message: this.redactText(`${prefix} ${vendor}`),
      status,
      retryAfterMs: failure.retryAfterMs,
      details: this.redactDetails({
        ...described.details,
        ...(json.ok ? {} : { contentType, excerpt: failure.excerpt }),
      }),
    });
  }

  /**
   * One request, redirects followed by hand: within the origin (scheme, host
   * and port) through the same dispatcher, so each hop is checked like the
   * first; never to another origin, where the credentials must not go.
   */
  private async fetchFollowingSameOrigin(
    url: string,
    method: 'GET' | 'POST',
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<{ status: number; headers: Headers; text: string }> {
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      const res = await undici().fetch(current, {
        method,
        headers,
        body,
        signal,
        redirect: 'manual',
        dispatcher: this.dispatcher,
      });
      const location = res.headers.get('location');
      if (!REDIRECT_STATUSES.has(res.status) || location === null) {
        return { status: res.status, headers: res.headers as unknown as Headers, text: await res.text() };
      }
      await res.body?.cancel();
      const target = new URL(location, current);
      if (target.origin !== current.origin) {
        throw new EgressDeniedError(
          `egress denied: ${this.options.source} ${method} ${this.redact(current.href)} redirects to ` +
            `another origin (${target.origin}); not followed, so credentials stay with the store ` +
            "(update the connection's URL if the store moved)",
          { host: target.host, reason: 'cross-origin-redirect' },
        );
      }
      if (hop >= MAX_REDIRECTS) {
        throw sourceError({
          kind: 'bad_response',
          message: `${this.options.source} ${method} ${this.redact(url)}: more than ${MAX_REDIRECTS} redirects`,
        });
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        // As fetch does: the next hop is a GET without the body.
        method = 'GET';
        body = undefined;
        const { 'content-type': _dropped, ...rest } = headers;
        headers = rest;
      }
      current = target;
    }
  }

  /**
   * Vendor details may quote the request back (parameter errors): no secret
   * survives, and every string is one short clean line.
   */
  private redactDetails(details: Record<string, unknown>): Record<string, unknown> {
    return JSON.parse(redactText(JSON.stringify(details), this.options.secrets), (_key, value: unknown) =>
      typeof value === 'string' ? safeExcerpt(value, MAX_VENDOR_MESSAGE_CHARS) : value,
    ) as Record<string, unknown>;
  }

  private redactText(text: string): string {
    return redactText(text, this.options.secrets);
  }

  private redact(url: string): string {
    return redactUrl(url, this.options.secrets);
  }

  private excerpt(text: string): string {
    return bodyExcerpt(text, undefined, this.options.secrets);
  }
}

function defaultDescription(failure: HttpFailure): FailureDescription {
  if (failure.json === undefined) {
    return {
      message: `non-JSON error body (${failure.contentType || 'no content type'}): "${failure.excerpt}"`,
    };
  }
  return { message: failure.excerpt };
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!text.trim()) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
