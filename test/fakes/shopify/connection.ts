import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { matches, parseSearch, type Searchable } from './search.js';

/**
 * Shopify's Relay connections over an in-memory list: `first` ≤ 250 (one of
 * first/last required outside bulk queries), opaque `after` cursors holding
 * the sort value and id of a node and the query they came from (a cursor is
 * refused once the query string, sort key or direction changes), the
 * `query:` search filter, `sortKey`, `reverse`, `pageInfo`.
 */
export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  query?: string | null;
  sortKey?: string | null;
  reverse?: boolean | null;
}

export interface ConnectionSource<R> {
  /** Type name, for cursors (`Customer`). */
  type: string;
  records: readonly R[];
  id: (record: R) => number;
  /** The sort value of a record for a sort key (ID when absent). */
  sortValue?: (record: R, sortKey: string) => number;
  searchable?: (record: R) => Searchable;
  view: (record: R) => Record<string, unknown>;
}

export const MAX_FIRST = 250;

interface CursorBody {
  s: string;
  k: [number, number];
}

export function resolveConnection<R>(source: ConnectionSource<R>, args: ConnectionArgs, bulk: boolean) {
  const { first, last } = args;
  if (!bulk) {
    if (first == null && last == null) throw new GraphQLError('you must provide one of first or last');
    for (const [name, value] of [
      ['first', first],
      ['last', last],
    ] as const) {
      if (value != null && (value < 0 || value > MAX_FIRST)) {
        throw new GraphQLError(`The \`${name}\` argument must be between 0 and ${MAX_FIRST}.`, {
          extensions: { code: 'BAD_REQUEST' },
        });
      }
    }
  }
  const sortKey = args.sortKey ?? 'ID';
  const reverse = args.reverse ?? false;
  const scope = createHash('sha1')
    .update(`${source.type}|${args.query ?? ''}|${sortKey}|${reverse}`)
    .digest('hex')
    .slice(0, 12);
  const terms = parseSearch(args.query);
  const key = (r: R): [number, number] => [
    sortKey === 'ID' ? 0 : (source.sortValue?.(r, sortKey) ?? 0),
    source.id(r),
  ];
  const compare = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];
  let list = source.records
    .filter((r) => !source.searchable || matches(terms, source.searchable(r)))
    .map((r) => ({ r, k: key(r) }))
    .sort((a, b) => compare(a.k, b.k) * (reverse ? -1 : 1));
  if (args.after) {
    const after = decodeCursor(args.after, scope);
    list = list.filter((e) => compare(e.k, after) * (reverse ? -1 : 1) > 0);
  }
  const size = bulk && first == null ? list.length : (first ?? last ?? 0);
  const page = list.slice(0, size);
  const cursor = (k: [number, number]) =>
    Buffer.from(JSON.stringify({ s: scope, k } satisfies CursorBody)).toString('base64url');
  const edges = page.map((e) => ({ cursor: cursor(e.k), node: source.view(e.r) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: list.length > page.length,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function decodeCursor(cursor: string, scope: string): [number, number] {
  try {
    const body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorBody;
    if (body.s === scope && Array.isArray(body.k)) return body.k;
  } catch {
    // fall through
  }
  throw new GraphQLError('Invalid cursor for current pagination sort.', {
    extensions: { code: 'BAD_REQUEST' },
  });
}

/** `Count { count precision }`: capped at `limit` (default 10,000) with precision AT_LEAST above it. */
export function resolveCount<R>(
  source: ConnectionSource<R>,
  args: { query?: string | null; limit?: number | null },
) {
  const terms = parseSearch(args.query);
  const total = source.records.filter(
    (r) => !source.searchable || matches(terms, source.searchable(r)),
  ).length;
  const limit = args.limit === undefined ? 10_000 : args.limit;
  if (limit !== null && total > limit) return { count: limit, precision: 'AT_LEAST' };
  return { count: total, precision: 'EXACT' };
}
