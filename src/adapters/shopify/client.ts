import { sourceError, type SyncWorkerError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { sleep } from '../../sleep.js';
import { httpOptionsOf, SourceHttpClient, type JsonResponse } from '../http/source-http.js';
import type { AdapterContext, RateObservation } from '../types.js';
import {
  describeShopifyFailure,
  emptyAnswer,
  graphqlBodySchema,
  graphqlError,
  isThrottled,
  type GraphqlBody,
  type QueryCost,
} from './graphql-errors.js';
import { estimateQueryCost } from './query-cost.js';

export interface ShopifyClientOptions {
  context: AdapterContext;
  apiVersion: string;
  /** THROTTLED answers waited out in a row before the job is delayed instead. @defaultValue 100 */
  maxThrottledWaits?: number;
}

export interface GraphqlResult {
  data: Record<string, unknown>;
  cost: QueryCost | undefined;
}

/**
 * The Admin GraphQL endpoint of one shop, cost-aware: every query reserves
 * its requested cost in the shop's budget before it is sent, and settles it
 * with the shop's own figures (`extensions.cost`) after. A `THROTTLED` answer
 * (HTTP 200, no data) is a wait of (requested − available) / restoreRate,
 * never a failure. Other GraphQL errors become typed errors through the one
 * factory (see graphql-errors.ts); HTTP failures through SourceHttpClient.
 */
export class ShopifyClient {
  readonly endpoint: string;
  readonly secrets: readonly string[];
  /** THROTTLED answers received (tests and logs). */
  throttled = 0;
  private readonly token: string;
  private readonly http: SourceHttpClient;
  private readonly maxThrottledWaits: number;
  private readonly logger: Logger | undefined;
  /** Shopify's own requestedQueryCost, by query text and variables' page sizes. */
  private readonly learnedCost = new Map<string, number>();

  constructor(options: ShopifyClientOptions) {
    const { context } = options;
    this.endpoint = graphqlEndpoint(context.baseUrl, options.apiVersion);
    this.token = context.credentials.token ?? '';
    if (!this.token) {
      throw sourceError({
        kind: 'auth',
        message: 'Shopify: the connection has no access token (credentials.token)',
      });
    }
    this.secrets = [this.token];
    this.maxThrottledWaits = options.maxThrottledWaits ?? 100;
    this.logger = context.logger;
    this.http = new SourceHttpClient({
      source: 'Shopify',
      rateBudget: context.rateBudget,
      ...httpOptionsOf(context),
      secrets: this.secrets,
      describeFailure: describeShopifyFailure,
    });
  }

  /** The requested cost this client reserves for `query` with `variables`. */
  requestedCost(query: string, variables: Record<string, unknown>): number {
    return this.learnedCost.get(costKey(query, variables)) ?? estimateQueryCost(query, variables);
  }

  /** Runs one query or mutation; resolves with its `data`, or throws a typed error. */
  async query(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<GraphqlResult> {
    for (let waits = 0; ; waits++) {
      const reserved = this.requestedCost(query, variables);
      // The HTTP client takes `reserved` from the shop's budget before each attempt and settles
      // it with the answer's figures after it.
      const response = await this.http.requestJson(
        () => ({
          method: 'POST',
          url: this.endpoint,
          headers: { 'x-shopify-access-token': this.token },
          body: { query, variables },
        }),
        {
          signal,
          budgetUnits: reserved,
          observeCost: (res) => (res ? observationOf(res.body, reserved) : {}),
          checkBody: (res) => checkGraphqlBody(res, operation),
        },
      );
      const body = graphqlBodySchema.parse(response.body);
      const cost = body.extensions?.cost ?? undefined;
      if (typeof cost?.requestedQueryCost === 'number') {
        this.learnedCost.set(costKey(query, variables), cost.requestedQueryCost);
      }
      if (!isThrottled(body)) return { data: body.data!, cost };
      this.throttled += 1;
      const waitMs = throttleWaitMs(cost, reserved);
      if (waits >= this.maxThrottledWaits) throw throttledTooLong(operation, waitMs);
      this.logger?.debug({ operation, waitMs, cost }, 'Shopify THROTTLED; waiting for the bucket');
      await sleep(waitMs, signal);
    }
  }
}

/** `{shop}/admin/api/{version}/graphql.json`, whatever part of it the configured URL already has. */
export function graphqlEndpoint(baseUrl: string, apiVersion: string): string {
  const root = baseUrl
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/admin(\/.*)?$/, '');
  return `${root}/admin/api/${apiVersion}/graphql.json`;
}

function checkGraphqlBody(res: JsonResponse, operation: string): SyncWorkerError | undefined {
  const parsed = graphqlBodySchema.safeParse(res.body);
  if (!parsed.success) {
    return sourceError({
      kind: 'bad_response',
      message: `Shopify ${operation}: not a GraphQL answer (${parsed.error.issues[0]?.message ?? 'bad shape'})`,
      status: res.status,
    });
  }
  const body: GraphqlBody = parsed.data;
  if (isThrottled(body)) return undefined; // waited out by the caller, outside the retry budget
  if (body.errors?.length) return graphqlError(body, operation, res.status);
  if (!body.data) return emptyAnswer(operation, res.status);
  return undefined;
}

/** What an answer says of the shop's bucket: a THROTTLED one cost nothing. */
function observationOf(raw: unknown, reserved: number): RateObservation {
  const parsed = graphqlBodySchema.safeParse(raw);
  if (!parsed.success) return {};
  const cost = parsed.data.extensions?.cost ?? undefined;
  const status = cost?.throttleStatus ?? undefined;
  return {
    actual: isThrottled(parsed.data) ? 0 : (cost?.actualQueryCost ?? reserved),
    ...(status
      ? {
          available: status.currentlyAvailable,
          capacity: status.maximumAvailable,
          restorePerSecond: status.restoreRate,
        }
      : {}),
  };
}

/** (requested − available) / restoreRate, in ms; a second when the shop gave no figures. */
export function throttleWaitMs(cost: QueryCost | undefined, reserved: number): number {
  const status = cost?.throttleStatus;
  if (!status || status.restoreRate <= 0) return 1000;
  const requested = cost?.requestedQueryCost ?? reserved;
  const missing = Math.max(0, requested - status.currentlyAvailable);
  return Math.max(50, Math.ceil((missing / status.restoreRate) * 1000));
}

function throttledTooLong(operation: string, waitMs: number): SyncWorkerError {
  return sourceError({
    kind: 'rate_limited',
    message: `Shopify ${operation}: still THROTTLED after many waits; the job resumes later`,
    status: 200,
    retryAfterMs: Math.max(waitMs, 1000),
  });
}

function costKey(query: string, variables: Record<string, unknown>): string {
  return `${String(variables.first ?? '')}:${query}`;
}
