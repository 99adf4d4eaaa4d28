import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The data model of the generated Prisma client (src/generated/prisma), read
 * from the generated files themselves, so the drift test checks what the
 * client will actually send to the database:
 *
 * - `internal/class.ts` embeds the runtime data model (`config.runtimeDataModel
 *   = JSON.parse("…")`: models with their @@map, fields with kind, type and
 *   @map) and the schema text (`inlineSchema`, read for enums' @@map only);
 * - the runtime data model does not say which fields are optional, so
 *   nullability comes from the generated payload type of each model
 *   (`models/<Model>.ts`: `$<Model>Payload` → `scalars: { field: T | null }`).
 *
 * Both are parsed with the TypeScript compiler (no regex over code).
 */

export interface ModelField {
  name: string;
  /** Column name: @map, else the field name. */
  column: string;
  kind: 'scalar' | 'enum';
  /** Prisma scalar type (String, Int, …) or the enum's name. */
  type: string;
  nullable: boolean;
}

export interface Model {
  name: string;
  /** Table name: @@map, else the model name. */
  table: string;
  fields: ModelField[];
}

export interface DataModel {
  models: Model[];
  /** Enum name → database type name (@@map, else the enum name). */
  enumDbNames: Map<string, string>;
}

interface RuntimeField {
  name: string;
  kind: 'scalar' | 'enum' | 'object';
  type: string;
  dbName?: string;
}
interface RuntimeDataModel {
  models: Record<string, { dbName: string | null; fields: RuntimeField[] }>;
}

const generatedDir = new URL('../../src/generated/prisma/', import.meta.url);

function parse(relative: string): ts.SourceFile {
  const path = fileURLToPath(new URL(relative, generatedDir));
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
}

function find<T extends ts.Node>(root: ts.Node, test: (n: ts.Node) => n is T): T[] {
  const found: T[] = [];
  const visit = (n: ts.Node): void => {
    if (test(n)) found.push(n);
    ts.forEachChild(n, visit);
  };
  visit(root);
  return found;
}

function stringValue(node: ts.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
    ? node.text
    : undefined;
}

function readClassFile(): { runtime: RuntimeDataModel; inlineSchema: string } {
  const file = parse('internal/class.ts');
  let runtime: RuntimeDataModel | undefined;
  for (const assign of find(file, ts.isBinaryExpression)) {
    if (assign.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    if (assign.left.getText(file) !== 'config.runtimeDataModel') continue;
    const call = assign.right;
    if (ts.isCallExpression(call) && call.expression.getText(file) === 'JSON.parse') {
      const json = stringValue(call.arguments[0]);
      if (json !== undefined) runtime = JSON.parse(json) as RuntimeDataModel;
    }
  }
  const inlineSchema = find(file, ts.isPropertyAssignment)
    .filter((p) => stringValue(p.name) === 'inlineSchema' || p.name.getText(file) === 'inlineSchema')
    .map((p) => stringValue(p.initializer))
    .find((s) => s !== undefined);
  if (!runtime || Object.keys(runtime.models).length === 0) {
    throw new Error('no `config.runtimeDataModel = JSON.parse("…")` with models in internal/class.ts');
  }
  if (!inlineSchema) throw new Error('no inlineSchema in internal/class.ts');
  return { runtime, inlineSchema };
}

/** Field name → nullable, from `$<Model>Payload['scalars']` in models/<Model>.ts. */
function readNullability(model: string): Map<string, boolean> {
  const file = parse(`models/${model}.ts`);
  const alias = find(file, ts.isTypeAliasDeclaration).find((a) => a.name.text === `$${model}Payload`);
  if (!alias || !ts.isTypeLiteralNode(alias.type))
    throw new Error(`no $${model}Payload in models/${model}.ts`);
  const scalars = alias.type.members.find(
    (m): m is ts.PropertySignature => ts.isPropertySignature(m) && m.name.getText(file) === 'scalars',
  );
  const payload = scalars?.type;
  const literal =
    payload && ts.isTypeReferenceNode(payload)
      ? payload.typeArguments?.find(ts.isTypeLiteralNode)
      : undefined;
  if (!literal) throw new Error(`$${model}Payload has no scalars: GetPayloadResult<{ … }>`);
  const result = new Map<string, boolean>();
  for (const member of literal.members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    const type = member.type;
    const nullable =
      ts.isUnionTypeNode(type) &&
      type.types.some((t) => ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword);
    result.set(member.name.getText(file), nullable);
  }
  return result;
}

/** `enum X { … @@map("x") }` blocks of the schema text. */
function readEnumDbNames(schema: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const [, name, body] of schema.matchAll(/^enum\s+(\w+)\s*\{([^}]*)\}/gm)) {
    const mapped = /@@map\(\s*"([^"]+)"\s*\)/.exec(body!)?.[1];
    names.set(name!, mapped ?? name!);
  }
  return names;
}

export function readGeneratedDataModel(): DataModel {
  const { runtime, inlineSchema } = readClassFile();
  const models: Model[] = Object.entries(runtime.models).map(([name, model]) => {
    const nullability = readNullability(name);
    const fields = model.fields
      .filter(
        (f): f is RuntimeField & { kind: 'scalar' | 'enum' } => f.kind === 'scalar' || f.kind === 'enum',
      )
      .map((f) => {
        const nullable = nullability.get(f.name);
        if (nullable === undefined) throw new Error(`${name}.${f.name} is missing from $${name}Payload`);
        return { name: f.name, column: f.dbName ?? f.name, kind: f.kind, type: f.type, nullable };
      });
    return { name, table: model.dbName ?? name, fields };
  });
  return { models, enumDbNames: readEnumDbNames(inlineSchema) };
}
