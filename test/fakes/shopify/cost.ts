import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * Shopify's calculated query cost, as documented: a scalar or enum costs 0,
 * an object 1, a connection 2 + `first` (or `last`) × the cost of one node,
 * a mutation 10; `pageInfo` is free. Computed on the real schema before the
 * query runs (the requested cost); the actual cost is counted while it runs.
 */
export function requestedCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const typeNamed = (name: string) => schema.getType(name) as GraphQLCompositeType;

  const fieldsOf = (type: GraphQLCompositeType) =>
    isObjectType(type) || isInterfaceType(type) ? type.getFields() : {};

  /** One node of a connection: its `nodes` or `edges { node }` selection, the node itself counted. */
  const nodeCost = (connection: GraphQLCompositeType, set: SelectionSetNode): number => {
    let perNode = 0;
    for (const inner of set.selections) {
      if (inner.kind !== Kind.FIELD || !inner.selectionSet) continue;
      const innerField = fieldsOf(connection)[inner.name.value];
      if (!innerField) continue;
      const innerType = getNamedType(innerField.type) as GraphQLCompositeType;
      if (inner.name.value === 'nodes')
        perNode = Math.max(perNode, 1 + selectionCost(innerType, inner.selectionSet));
      if (inner.name.value !== 'edges') continue;
      for (const e of inner.selectionSet.selections) {
        if (e.kind !== Kind.FIELD || e.name.value !== 'node' || !e.selectionSet) continue;
        const nodeType = getNamedType(fieldsOf(innerType).node!.type) as GraphQLCompositeType;
        perNode = Math.max(perNode, 1 + selectionCost(nodeType, e.selectionSet));
      }
    }
    return perNode;
  };

  const selectionCost = (parent: GraphQLCompositeType, set: SelectionSetNode): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? typeNamed(selection.typeCondition.name.value) : parent;
        cost += selectionCost(type, selection.selectionSet);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment)
          cost += selectionCost(typeNamed(fragment.typeCondition.name.value), fragment.selectionSet);
        continue;
      }
      const field = fieldsOf(parent)[selection.name.value];
      if (!field || !selection.selectionSet) continue;
      const named = getNamedType(field.type);
      if (isLeafType(named) || named.name === 'PageInfo' || !isCompositeType(named)) continue;
      if (named.name.endsWith('Connection')) {
        cost +=
          2 + sizeArgument(selection.arguments ?? [], variables) * nodeCost(named, selection.selectionSet);
      } else {
        cost += 1 + selectionCost(named, selection.selectionSet);
      }
    }
    return cost;
  };

  let total = 0;
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    if (d.operation === 'mutation') total += 10;
    else total += selectionCost(schema.getQueryType()!, d.selectionSet);
  }
  return total;
}

function sizeArgument(
  args: readonly { name: { value: string }; value: ValueNode }[],
  variables: Record<string, unknown>,
): number {
  const arg = args.find((a) => a.name.value === 'first' || a.name.value === 'last');
  if (!arg) return 0;
  if (arg.value.kind === Kind.INT) return Number(arg.value.value);
  if (arg.value.kind === Kind.VARIABLE) {
    const value = variables[arg.value.name.value];
    return typeof value === 'number' ? value : 0;
  }
  return 0;
}

/**
 * The shop's cost bucket (a leaky bucket): `capacity` points, restoring
 * `restorePerSecond`. A query needs its requested cost available; it is
 * charged that, then refunded the difference with its actual cost.
 */
export class CostBucket {
  private level: number;
  private at = Date.now();

  constructor(
    public capacity: number,
    public restorePerSecond: number,
  ) {
    this.level = capacity;
  }

  available(): number {
    const now = Date.now();
    this.level = Math.min(this.capacity, this.level + ((now - this.at) / 1000) * this.restorePerSecond);
    this.at = now;
    return this.level;
  }

  /** Charges `cost` when available; false (nothing charged) otherwise. */
  charge(cost: number): boolean {
    if (this.available() < cost) return false;
    this.level -= cost;
    return true;
  }

  refund(points: number): void {
    this.available();
    this.level = Math.min(this.capacity, this.level + Math.max(0, points));
  }

  status() {
    return {
      maximumAvailable: this.capacity,
      currentlyAvailable: Math.floor(this.available()),
      restoreRate: this.restorePerSecond,
    };
  }
}
