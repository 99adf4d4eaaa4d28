import { z } from 'zod';
import { sourceError, type SourceFailureKind, type SyncWorkerError } from '../../errors.js';
import type { HttpFailure } from '../http/source-http.js';

/**
 * Shopify answers most GraphQL failures with HTTP 200: `errors[]` beside
 * `data: null` or partial `data`. Each `extensions.code` is mapped to the
 * failure kind it means, and the one factory (`sourceError`) decides the
 * code and retry class, as for any HTTP answer.
 * A partial answer is a failure too: mapping it would store records with
 * holes (and count them as updated).
 */

const costSchema = z.object({
  requestedQueryCost: z.number().nullish(),
  actualQueryCost: z.number().nullish(),
  throttleStatus: z
    .object({
      maximumAvailable: z.number(),
      currentlyAvailable: z.number(),
      restoreRate: z.number(),
    })
    .nullish(),
});

const errorSchema = z.looseObject({
  message: z.string().default(''),
  path: z.array(z.union([z.string(), z.number()])).nullish(),
  extensions: z.looseObject({ code: z.string().optional() }).nullish(),
});

export const graphqlBodySchema = z.looseObject({
  data: z.record(z.string(), z.unknown()).nullish(),
  errors: z.array(errorSchema).nullish(),
  extensions: z.looseObject({ cost: costSchema.nullish() }).nullish(),
});

export type GraphqlBody = z.infer<typeof graphqlBodySchema>;
export type QueryCost = z.infer<typeof costSchema>;
export type GraphqlErrorEntry = z.infer<typeof errorSchema>;

/** The failure kind of each GraphQL error code; others (validation errors…) are bad requests. */
const KIND_OF_CODE: Record<string, SourceFailureKind> = {
  THROTTLED: 'rate_limited',
  ACCESS_DENIED: 'forbidden',
  SHOP_INACTIVE: 'forbidden',
  NOT_FOUND: 'not_found',
  INTERNAL_SERVER_ERROR: 'unavailable',
  SERVICE_UNAVAILABLE: 'unavailable',
  TIMEOUT: 'unavailable',
  MAX_COST_EXCEEDED: 'bad_request',
};

const kindOf = (e: GraphqlErrorEntry): SourceFailureKind =>
  KIND_OF_CODE[e.extensions?.code ?? ''] ?? 'bad_request';

/** The entry that decides (fatal kinds first, then retryable, THROTTLED last): one bad field fails the page. */
function decisive(errors: GraphqlErrorEntry[]): GraphqlErrorEntry {
  const rank = (e: GraphqlErrorEntry) => {
    const kind = kindOf(e);
    return kind === 'rate_limited' ? 2 : kind === 'unavailable' ? 1 : 0;
  };
  return [...errors].sort((a, b) => rank(a) - rank(b))[0]!;
}

/** True when the only complaint is the cost bucket (`THROTTLED`): a wait, not a failure. */
export function isThrottled(body: GraphqlBody): boolean {
  const errors = body.errors ?? [];
  return errors.length > 0 && errors.every((e) => e.extensions?.code === 'THROTTLED');
}

/** `errors[]` of a 200 answer → the typed error, worded with Shopify's own messages. */
export function graphqlError(body: GraphqlBody, operation: string, status: number): SyncWorkerError {
  const errors = body.errors ?? [];
  const first = decisive(errors);
  const code = first.extensions?.code;
  const where = first.path?.length ? ` at ${first.path.join('.')}` : '';
  const hint = HINTS[code ?? ''] ?? '';
  const partial = body.data ? ' (partial data discarded)' : '';
  const message = `Shopify ${operation}: ${code ?? 'GraphQL error'}${where}: ${first.message}${hint}${partial}`;
  const details = {
    graphqlCode: code ?? null,
    httpStatus: status,
    errors: errors.slice(0, 5).map((e) => ({ message: e.message, code: e.extensions?.code ?? null })),
  };
  return sourceError({ kind: kindOf(first), message, status, details, retryAfterMs: 1000 });
}

const HINTS: Record<string, string> = {
  ACCESS_DENIED: ' (the app lacks an access scope this entity needs, e.g. read_customers, read_orders)',
  MAX_COST_EXCEEDED:
    ' (one query asks for more than Shopify allows in a single request; lower settings.maxQueryCost)',
};

/** Wording of a non-2xx answer: Shopify's `{"errors": "…"}` or `{"errors": [{message}]}`. */
export function describeShopifyFailure(
  failure: HttpFailure,
): { message: string; details?: Record<string, unknown> } | undefined {
  const body = failure.json as { errors?: unknown } | undefined;
  if (!body || typeof body !== 'object' || body.errors === undefined) return undefined;
  const text =
    typeof body.errors === 'string'
      ? body.errors
      : Array.isArray(body.errors)
        ? body.errors.map((e) => (e as { message?: unknown }).message).join('; ')
        : JSON.stringify(body.errors);
  const hint =
    failure.status === 401
      ? ' (check the Admin API access token, credentials.token, and that the app is still installed on the shop)'
      : failure.status === 402
        ? ' (the shop is frozen: its plan is unpaid)'
        : failure.status === 403
          ? ' (the token lacks an access scope)'
          : failure.status === 404
            ? ' (no such shop or API version: check the URL and settings.apiVersion)'
            : '';
  return { message: `${text}${hint}` };
}

/** A 200 answer with neither data nor errors. */
export function emptyAnswer(operation: string, status: number): SyncWorkerError {
  return sourceError({
    kind: 'bad_response',
    message: `Shopify ${operation}: the answer has no data`,
    status,
  });
}
