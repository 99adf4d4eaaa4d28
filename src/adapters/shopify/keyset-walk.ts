import { z } from 'zod';
import { sourceError } from '../../errors.js';
import type { ShopifyClient } from './client.js';
import type { ShopifyEntity } from './entities.js';
import { MAX_FIRST, nestedQuery, pageQuery, type SortKey } from './queries.js';
import { firstWithinCost } from './query-cost.js';

/**
 * A cursor walk of one connection: `first` nodes per request after Shopify's
 * `endCursor`, in `sortKey` order, under one search filter. Shopify's cursor
 * holds the sort value and the id of the last node, so a walk by ID is
 * complete while records change (new ones come at the end, deleted ones
 * shift nothing), and a walk by UPDATED_AT meets a record changed mid-run
 * again at the end, with its new state; nodes that tie on `updatedAt` are
 * ordered by id inside the cursor, so ties across page boundaries are safe.
 * Nodes whose nested connection (variants, line items, inventory levels) did
 * not fit are completed by follow-up queries before the page is yielded.
 */
export interface KeysetWalkOptions {
  client: ShopifyClient;
  spec: ShopifyEntity;
  sortKey: SortKey;
  filter: string | null;
  after: string | null;
  first: number;
  /** Largest requested cost of one follow-up query. */
  maxQueryCost: number;
  signal?: AbortSignal;
}

export interface KeysetPage {
  nodes: Record<string, unknown>[];
  /** Resume after this page (Shopify's endCursor; the previous one when the page is empty). */
  after: string | null;
  done: boolean;
}

const connectionSchema = z.object({
  pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
  nodes: z.array(z.looseObject({ id: z.string() })),
});

export async function* walkKeyset(options: KeysetWalkOptions): AsyncGenerator<KeysetPage> {
  const { client, spec, signal } = options;
  const query = pageQuery(spec, options.sortKey);
  let after = options.after;
  for (;;) {
    const { data } = await client.query(
      `${spec.root} page`,
      query,
      { first: options.first, after, query: options.filter },
      signal,
    );
    const connection = readConnection(data[spec.root], spec.root);
    const nodes = spec.nested
      ? await completeNested(options, connection.nodes)
      : (connection.nodes as Record<string, unknown>[]);
    after = connection.pageInfo.endCursor ?? after;
    const done = !connection.pageInfo.hasNextPage;
    yield { nodes, after, done };
    if (done) return;
  }
}

/** Validates one connection of an answer; a malformed one is retried (a proxy, a truncated body). */
export function readConnection(value: unknown, field: string): z.infer<typeof connectionSchema> {
  const parsed = connectionSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw sourceError({
    kind: 'bad_response',
    message: `Shopify ${field}: the answer is not a connection (${parsed.error.issues[0]?.message ?? 'bad shape'})`,
  });
}

/** Reads the rest of each node's nested connection and leaves `{ nodes: [all] }` in its place. */
async function completeNested(
  options: KeysetWalkOptions,
  nodes: Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const nested = options.spec.nested!;
  const query = nestedQuery(options.spec);
  const first = firstWithinCost(query, options.maxQueryCost, MAX_FIRST);
  const complete: Record<string, unknown>[] = [];
  for (const node of nodes) {
    const connection = readConnection(node[nested.field], `${options.spec.root}.${nested.field}`);
    const children = [...connection.nodes];
    let pageInfo = connection.pageInfo;
    while (pageInfo.hasNextPage) {
      const { data } = await options.client.query(
        `${nested.single} ${nested.field}`,
        query,
        { id: node.id, first, after: pageInfo.endCursor ?? null },
        options.signal,
      );
      const parent = data[nested.single] as Record<string, unknown> | null;
      if (!parent) break; // deleted since the page was read: the page keeps what it saw
      const more = readConnection(parent[nested.field], `${nested.single}.${nested.field}`);
      children.push(...more.nodes);
      pageInfo = more.pageInfo;
    }
    complete.push({ ...node, [nested.field]: { nodes: children } });
  }
  return complete;
}
