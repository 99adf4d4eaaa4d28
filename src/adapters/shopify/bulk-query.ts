import { Kind, parse, print, visit, type FieldNode, type SelectionNode } from 'graphql';
import { pageQuery } from './queries.js';
import type { ShopifyEntity } from './entities.js';

/** Arguments that page a connection; a bulk query reads whole connections, so they go. */
const PAGING_ARGUMENTS = new Set(['first', 'after', 'last', 'before', 'query']);

/**
 * The bulk export of an entity, derived from its page query so the two
 * always select the same fields: no variables, no paging arguments, no
 * `pageInfo`, and `nodes { … }` written as `edges { node { … } }` (the form
 * bulk queries document). Nested connections come back as their own JSONL
 * lines carrying `__parentId`.
 */
export function bulkQuery(spec: ShopifyEntity): string {
  const document = parse(pageQuery(spec, 'ID'));
  const rewritten = visit(document, {
    OperationDefinition: (node) => ({ ...node, name: undefined, variableDefinitions: [] }),
    Field: {
      leave(node): FieldNode | undefined {
        if (!isConnection(node)) return undefined;
        return {
          ...node,
          arguments: (node.arguments ?? []).filter((a) => !PAGING_ARGUMENTS.has(a.name.value)),
          selectionSet: {
            kind: Kind.SELECTION_SET,
            selections: node.selectionSet!.selections.flatMap(asEdges),
          },
        };
      },
    },
  });
  return print(rewritten);
}

function isConnection(node: FieldNode): boolean {
  return (
    node.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'nodes') ?? false
  );
}

function asEdges(selection: SelectionNode): SelectionNode[] {
  if (selection.kind !== Kind.FIELD) return [selection];
  if (selection.name.value === 'pageInfo') return [];
  if (selection.name.value !== 'nodes') return [selection];
  const node: FieldNode = { ...selection, name: { kind: Kind.NAME, value: 'node' } };
  return [
    {
      kind: Kind.FIELD,
      name: { kind: Kind.NAME, value: 'edges' },
      selectionSet: { kind: Kind.SELECTION_SET, selections: [node] },
    },
  ];
}
