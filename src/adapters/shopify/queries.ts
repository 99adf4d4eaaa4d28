import type { ShopifyEntity } from './entities.js';

/**
 * The GraphQL documents the adapter sends, built from the entity specs. Page
 * and id-scan queries take `$first`, `$after` and `$query` (the search filter)
 * as variables, so the text of one kind of walk never changes between pages:
 * Shopify's cursors stay valid only while the query string is the same.
 */

/** Shopify's largest `first`. */
export const MAX_FIRST = 250;

export type SortKey = 'ID' | 'UPDATED_AT';

const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

function operationName(spec: ShopifyEntity, suffix: string): string {
  return `Sync${spec.root[0]!.toUpperCase()}${spec.root.slice(1)}${suffix}`;
}

function sortArgument(spec: ShopifyEntity, sortKey: SortKey): string {
  // inventoryItems takes no sortKey: it lists by id.
  return spec.root === 'inventoryItems' ? '' : `, sortKey: ${sortKey}`;
}

function nodeSelection(spec: ShopifyEntity): string {
  const nested = spec.nested;
  if (!nested) return spec.fields;
  return `${spec.fields}
      ${nested.field}(first: ${nested.first}) { ${PAGE_INFO} nodes { ${nested.fields} } }`;
}

/** One page of an entity, in `sortKey` order, under an optional search filter. */
export function pageQuery(spec: ShopifyEntity, sortKey: SortKey): string {
  return `query ${operationName(spec, 'Page')}($first: Int!, $after: String, $query: String) {
  ${spec.root}(first: $first, after: $after, query: $query${sortArgument(spec, sortKey)}) {
    ${PAGE_INFO}
    nodes {
      ${nodeSelection(spec)}
    }
  }
}`;
}

/** The ids of an entity, by id (deletion scans). */
export function idsQuery(spec: ShopifyEntity): string {
  return `query ${operationName(spec, 'Ids')}($first: Int!, $after: String) {
  ${spec.root}(first: $first, after: $after${sortArgument(spec, 'ID')}) {
    ${PAGE_INFO}
    nodes { id }
  }
}`;
}

/** How many records match a search filter: `Count { count precision }`, capped by Shopify's default limit. */
export function countQuery(spec: ShopifyEntity): string {
  return `query ${operationName(spec, 'Count')}($query: String) {
  ${spec.count}(query: $query) { count precision }
}`;
}

/** The rest of one parent's nested connection (a product's variants beyond the first page). */
export function nestedQuery(spec: ShopifyEntity): string {
  const nested = spec.nested!;
  return `query ${operationName(spec, 'Nested')}($id: ID!, $first: Int!, $after: String) {
  ${nested.single}(id: $id) {
    ${nested.field}(first: $first, after: $after) { ${PAGE_INFO} nodes { ${nested.fields} } }
  }
}`;
}

/** A search filter on the modification time, inclusive of the cursor's second (ties are re-read). */
export function updatedSinceFilter(sinceIso: string): string {
  const second = new Date(Math.floor(Date.parse(sinceIso) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return `updated_at:>='${second}'`;
}

export const BULK_RUN_MUTATION = `mutation SyncBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

export const BULK_POLL_QUERY = `query SyncBulkPoll($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode objectCount rootObjectCount url partialDataUrl }
  }
}`;

/** The shop's running bulk query, to adopt one this adapter started before a crash. */
export const BULK_CURRENT_QUERY = `query SyncBulkCurrent {
  currentBulkOperation(type: QUERY) { id status query }
}`;

export const BULK_CANCEL_MUTATION = `mutation SyncBulkCancel($id: ID!) {
  bulkOperationCancel(id: $id) {
    bulkOperation { id status }
    userErrors { field message }
  }
}`;
