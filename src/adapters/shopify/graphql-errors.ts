import { z } from 'zod';
import { ErrorCodes, SourceError, sourceErrorFromStatus, type SyncWorkerError } from '../../errors.js';
import type { HttpFailure } from '../http/source-http.js';

/**
 * Shopify answers most GraphQL failures with HTTP 200: `errors[]` beside
 * `data: null` or partial `data`. Each `extensions.code` is mapped to the
 * HTTP status that means the same, and the one factory
 * (`sourceErrorFromStatus`) decides the retry class, as for any HTTP answer.
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

/** The HTTP status each GraphQL error code stands for. */
const STATUS_OF_CODE: Record<string, number> = {
  THROTTLED: 429,
  ACCESS_DENIED: 403,
  SHOP_INACTIVE: 402,
  NOT_FOUND: 404,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  TIMEOUT: 504,
  MAX_COST_EXCEEDED: 400,
};

/** The code of the entry that decides (fatal first, then retryable): one bad field fails the page. */
function decisive(errors: GraphqlErrorEntry[]): GraphqlErrorEntry {
  const rank = (e: GraphqlErrorEntry) => {
    const status = STATUS_OF_CODE[e.extensions?.code ?? ''] ?? 400;
    return status < 429 ? 0 : status === 429 ? 2 : 1;
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
  const equivalent = STATUS_OF_CODE[code ?? ''] ?? 400;
  const where = first.path?.length ? ` at ${first.path.join('.')}` : '';
  const hint = HINTS[code ?? ''] ?? '';
  const partial = body.data ? ' (partial data discarded)' : '';
  const message = `Shopify ${operation}: ${code ?? 'GraphQL error'}${where}: ${first.message}${hint}${partial}`;
  const details = {
    graphqlCode: code ?? null,
    httpStatus: status,
    errors: errors.slice(0, 5).map((e) => ({ message: e.message, code: e.extensions?.code ?? null })),
  };
  return sourceErrorFromStatus(equivalent, message, { details });
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
  return new SourceError(ErrorCodes.SOURCE_BAD_RESPONSE, `Shopify ${operation}: the answer has no data`, {
    status,
    retry: 'retryable',
  });
}
