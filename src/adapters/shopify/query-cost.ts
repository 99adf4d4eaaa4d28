import { Kind, parse, type FieldNode, type SelectionSetNode, type ValueNode } from 'graphql';

/**
 * The requested cost of a query, estimated before it is sent, with the rule
 * Shopify documents for its calculated query cost: scalars and enums 0, an
 * object 1, a connection 2 + `first` × the cost of one node, a mutation 10.
 * The adapter has no schema at run time, so it reads the shape: a field with
 * a selection is an object, one whose selection has `nodes`/`edges` is a
 * connection; `pageInfo` is free. Shopify's own `requestedQueryCost` in the
 * answer is the truth: the client remembers it per query and uses it next time.
 */
export function estimateQueryCost(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  let total = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (definition.operation === 'mutation') total += 10;
    else total += selectionCost(definition.selectionSet, variables);
  }
  return total;
}

function selectionCost(set: SelectionSetNode | undefined, variables: Record<string, unknown>): number {
  if (!set) return 0;
  let cost = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) cost += fieldCost(selection, variables);
    // Inline fragments (`... on BulkOperation`): the selection of one possible type.
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      cost += selectionCost(selection.selectionSet, variables);
  }
  return cost;
}

function fieldCost(field: FieldNode, variables: Record<string, unknown>): number {
  if (!field.selectionSet || field.name.value === 'pageInfo') return 0;
  const inner = field.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
  const nodes = inner.find((s) => s.name.value === 'nodes');
  const edges = inner.find((s) => s.name.value === 'edges');
  if (!nodes && !edges) return 1 + selectionCost(field.selectionSet, variables);
  const size = sizeArgument(field, variables);
  const edgeNode = edges?.selectionSet?.selections.find(
    (s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'node',
  );
  const perNode = Math.max(
    nodes ? 1 + selectionCost(nodes.selectionSet, variables) : 0,
    edgeNode ? 1 + selectionCost(edgeNode.selectionSet, variables) : 0,
  );
  return 2 + size * perNode;
}

function sizeArgument(field: FieldNode, variables: Record<string, unknown>): number {
  const arg = field.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
  const value = arg ? valueOf(arg.value, variables) : undefined;
  return typeof value === 'number' ? value : 0;
}

function valueOf(node: ValueNode, variables: Record<string, unknown>): unknown {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  return undefined;
}

/** The largest `first` whose page query stays within `maxCost` (at least 1, at most `max`). */
export function firstWithinCost(
  query: string,
  maxCost: number,
  max: number,
  variables: Record<string, unknown> = {},
): number {
  const one = estimateQueryCost(query, { ...variables, first: 1 });
  const two = estimateQueryCost(query, { ...variables, first: 2 });
  const perNode = Math.max(1, two - one);
  const fixed = one - perNode;
  return Math.max(1, Math.min(max, Math.floor((maxCost - fixed) / perNode)));
}
