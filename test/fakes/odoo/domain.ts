import { valueError } from './faults.js';
import type { FieldSpec, ModelSpec } from './models.js';
import { parseMicros, type Row } from './values.js';

/**
 * Odoo domains: prefix-notation lists of `'&'`, `'|'`, `'!'` and leaves
 * `[field, operator, value]`, the top level an implicit AND. Compiled once per
 * request: an unknown field, a non-stored field, an unknown operator or a
 * malformed list raise `builtins.ValueError` before any record is looked at,
 * as Odoo does. Dotted paths (`location_id.usage`) follow many2one fields.
 */

export type Predicate = (row: Row) => boolean;

/** What a domain needs from the database: the rows behind many2one values. */
export interface DomainContext {
  spec(model: string): ModelSpec;
  row(model: string, id: number): Row | undefined;
  displayName(model: string, row: Row): string;
}

export const OPERATORS = [
  '=',
  '!=',
  '<>',
  '>',
  '>=',
  '<',
  '<=',
  'in',
  'not in',
  'like',
  'not like',
  'ilike',
  'not ilike',
  '=like',
  '=ilike',
] as const;
type Operator = (typeof OPERATORS)[number];

export interface CompiledDomain {
  test: Predicate;
  /** The domain names `active` itself, so no implicit `active = True` is added. */
  mentionsActive: boolean;
}

export function compileDomain(domain: unknown, spec: ModelSpec, ctx: DomainContext): CompiledDomain {
  if (domain === undefined || domain === null || domain === false) domain = [];
  if (!Array.isArray(domain)) throw valueError(`Invalid domain: ${pyRepr(domain)}`);
  const tokens = [...(domain as unknown[])];
  let mentionsActive = false;
  let pos = 0;
  const next = (): Predicate => {
    if (pos >= tokens.length) throw valueError(`Domain ${pyRepr(domain)} is syntactically not correct.`);
    const token = tokens[pos++];
    if (token === '&' || token === '|') {
      const a = next();
      const b = next();
      return token === '&' ? (r) => a(r) && b(r) : (r) => a(r) || b(r);
    }
    if (token === '!') {
      const a = next();
      return (r) => !a(r);
    }
    if (!Array.isArray(token) || token.length !== 3) throw valueError(`Invalid leaf ${pyRepr(token)}`);
    const [path, operator, value] = token as [unknown, unknown, unknown];
    if (path === 1 || path === 0) return constantLeaf(token as unknown[]);
    if (typeof path !== 'string' || typeof operator !== 'string')
      throw valueError(`Invalid leaf ${pyRepr(token)}`);
    if (path === 'active' || path.startsWith('active.')) mentionsActive = true;
    return compileLeaf(spec, path, operator.toLowerCase(), value, token as unknown[], ctx);
  };
  const parts: Predicate[] = [];
  while (pos < tokens.length) parts.push(next());
  return { test: (r) => parts.every((p) => p(r)), mentionsActive };
}

function constantLeaf(leaf: unknown[]): Predicate {
  const [a, op, b] = leaf;
  if (op !== '=' || (b !== 1 && b !== 0)) throw valueError(`Invalid leaf ${pyRepr(leaf)}`);
  const result = a === b;
  return () => result;
}

function compileLeaf(
  spec: ModelSpec,
  path: string,
  operator: string,
  value: unknown,
  leaf: unknown[],
  ctx: DomainContext,
): Predicate {
  if (!(OPERATORS as readonly string[]).includes(operator)) throw valueError(`Invalid leaf ${pyRepr(leaf)}`);
  const [name, ...rest] = path.split('.');
  const field = Object.hasOwn(spec.fields, name!) ? spec.fields[name!] : undefined;
  if (!field) throw valueError(`Invalid field ${spec.name}.${name} in leaf ${pyRepr(leaf)}`);
  if (field.store === false) {
    throw valueError(`Non-stored field ${spec.name}.${name} cannot be searched.`);
  }
  if (rest.length > 0) {
    if (field.type !== 'many2one' || !field.relation) {
      throw valueError(`Invalid field ${spec.name}.${path} in leaf ${pyRepr(leaf)}`);
    }
    const relation = field.relation;
    const inner = compileLeaf(ctx.spec(relation), rest.join('.'), operator, value, leaf, ctx);
    return (r) => {
      const id = r[name!];
      const related = typeof id === 'number' ? ctx.row(relation, id) : undefined;
      return related ? inner(related) : false;
    };
  }
  const op = (operator === '<>' ? '!=' : operator) as Operator;
  if ((op === 'in' || op === 'not in') && !Array.isArray(value)) {
    throw valueError(
      `The domain term '${pyRepr(leaf)}' should use the 'in' or 'not in' operator with a list.`,
    );
  }
  const negated = op === '!=' || op.startsWith('not ');
  const base = (op === '!=' ? '=' : negated ? op.slice(4) : op) as Operator;
  const test = positive(field, name!, base, value, ctx);
  return negated ? (r) => !test(r) : test;
}

/** The positive form of a leaf (`!=`, `not in`, `not like`… are its negation). */
function positive(
  field: FieldSpec,
  name: string,
  op: Operator,
  value: unknown,
  ctx: DomainContext,
): Predicate {
  const get = (r: Row) => r[name];
  switch (op) {
    case '=':
      if (value === false || value === null) return (r) => isEmpty(field, get(r));
      return (r) => matches(field, get(r), value);
    case 'in': {
      const list = value as unknown[];
      const wantsEmpty = list.some((v) => v === false || v === null);
      const wanted = list.filter((v) => v !== false && v !== null);
      return (r) => (wantsEmpty && isEmpty(field, get(r))) || wanted.some((v) => matches(field, get(r), v));
    }
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const target = comparable(field, value);
      if (target === undefined) return () => false;
      return (r) => {
        const stored = comparable(field, get(r));
        if (stored === undefined) return false;
        if (op === '>') return stored > target;
        if (op === '>=') return stored >= target;
        if (op === '<') return stored < target;
        return stored <= target;
      };
    }
    default: {
      const pattern = likePattern(op, value);
      return (r) => {
        const text = textOf(field, get(r), ctx);
        return text !== null && pattern.test(text);
      };
    }
  }
}

function isEmpty(field: FieldSpec, stored: unknown): boolean {
  if (field.type === 'boolean') return stored !== true;
  if (Array.isArray(stored)) return stored.length === 0;
  return stored === null || stored === undefined || stored === '' || stored === false;
}

function matches(field: FieldSpec, stored: unknown, value: unknown): boolean {
  if (field.type === 'one2many' || field.type === 'many2many') {
    return Array.isArray(stored) && stored.includes(value);
  }
  if (field.type === 'datetime') return stored !== null && stored === parseMicros(value);
  if (field.type === 'boolean') return (stored === true) === (value === true || value === 1);
  return stored === value;
}

/** Numbers, datetimes (µs) and strings compare; empty values never do. */
function comparable(field: FieldSpec, value: unknown): number | string | undefined {
  if (value === null || value === undefined || value === false) return undefined;
  if (field.type === 'datetime') return typeof value === 'number' ? value : parseMicros(value);
  if (typeof value === 'number' || typeof value === 'string') return value;
  return undefined;
}

function textOf(field: FieldSpec, stored: unknown, ctx: DomainContext): string | null {
  if (field.type === 'many2one' && typeof stored === 'number' && field.relation) {
    const row = ctx.row(field.relation, stored);
    return row ? ctx.displayName(field.relation, row) : null;
  }
  return typeof stored === 'string' ? stored : null;
}

/** SQL LIKE semantics: `%` any run, `_` one character; `like`/`ilike` also match inside the text. */
function likePattern(op: Operator, value: unknown): RegExp {
  const text = String(value ?? '');
  const body = [...text]
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const anchored = op === '=like' || op === '=ilike';
  const flags = op === 'ilike' || op === '=ilike' ? 'is' : 's';
  return new RegExp(anchored ? `^${body}$` : `^.*${body}.*$`, flags);
}

/** Python's repr of JSON values, for Odoo-like messages. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) {
    const inner = value.map(pyRepr).join(', ');
    return value.length === 3 && typeof value[1] === 'string' ? `(${inner})` : `[${inner}]`;
  }
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `'${k}': ${pyRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}
