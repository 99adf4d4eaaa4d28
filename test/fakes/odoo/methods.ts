import type { FakeOdooDatabase } from './database.js';
import { accessError, attributeError, typeError, userError, valueError } from './faults.js';
import type { Row } from './values.js';

/**
 * The ORM methods the fake serves, with Python's argument binding: positional
 * `args` fill the parameters in order, keyword arguments by name, and an
 * unknown or repeated one is a `builtins.TypeError`, as on a real server.
 * `context` is taken apart before binding (execute_kw and JSON-2 both do so).
 */

export interface ModelCall {
  model: string;
  method: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  context: Record<string, unknown>;
}

interface MethodSpec {
  params: readonly string[];
  run(db: FakeOdooDatabase, model: string, a: Record<string, unknown>, ctx: Record<string, unknown>): unknown;
}

const METHODS: Record<string, MethodSpec> = {
  search_count: {
    params: ['domain', 'limit'],
    run: (db, model, a, ctx) =>
      db.search(model, a.domain, { activeTest: activeTest(ctx), limit: int(a.limit, 'limit'), order: 'id' })
        .length,
  },
  search: {
    params: ['domain', 'offset', 'limit', 'order'],
    run: (db, model, a, ctx) => search(db, model, a, ctx).map((r) => r.id),
  },
  search_read: {
    params: ['domain', 'fields', 'offset', 'limit', 'order'],
    run: (db, model, a, ctx) => db.read(model, search(db, model, a, ctx), fieldList(a.fields)),
  },
  read: {
    params: ['ids', 'fields', 'load'],
    // Records that vanished are skipped, as BaseModel.read does (MissingError caught per record).
    run: (db, model, a) => db.read(model, db.browse(model, idList(a.ids)), fieldList(a.fields)),
  },
  fields_get: {
    params: ['allfields', 'attributes'],
    run: (db, model, a) => fieldsGet(db, model, a),
  },
  context_get: {
    params: [],
    run: (_db, model) => {
      if (model !== 'res.users') throw valueError(`context_get is a res.users method`);
      return { lang: 'en_US', tz: 'Europe/Brussels', uid: 2 };
    },
  },
};

export function hasMethod(method: string): boolean {
  return Object.hasOwn(METHODS, method);
}

/** Runs one model method; throws an OdooFault the way the server would. */
export function callModel(db: FakeOdooDatabase, call: ModelCall): unknown {
  if (call.method.startsWith('_')) {
    throw accessError(`Private methods (such as ${call.model}.${call.method}) cannot be called remotely.`);
  }
  if (!db.installed(call.model)) throw userError(`Object ${call.model} doesn't exist`);
  const spec = Object.hasOwn(METHODS, call.method) ? METHODS[call.method] : undefined;
  if (!spec) throw attributeError(`'${call.model}' object has no attribute '${call.method}'`);
  return spec.run(db, call.model, bind(call.method, spec.params, call.args, call.kwargs), call.context);
}

function bind(
  method: string,
  params: readonly string[],
  args: unknown[],
  kwargs: Record<string, unknown>,
): Record<string, unknown> {
  if (args.length > params.length) {
    throw typeError(
      `${method}() takes ${params.length + 1} positional arguments but ${args.length + 1} were given`,
    );
  }
  const bound: Record<string, unknown> = {};
  args.forEach((value, i) => (bound[params[i]!] = value));
  for (const [name, value] of Object.entries(kwargs)) {
    if (!params.includes(name)) throw typeError(`${method}() got an unexpected keyword argument '${name}'`);
    if (Object.hasOwn(bound, name)) throw typeError(`${method}() got multiple values for argument '${name}'`);
    bound[name] = value;
  }
  return bound;
}

function search(
  db: FakeOdooDatabase,
  model: string,
  a: Record<string, unknown>,
  ctx: Record<string, unknown>,
): Row[] {
  if (a.order !== undefined && a.order !== null && typeof a.order !== 'string') {
    throw typeError(`order must be a string, got ${JSON.stringify(a.order)}`);
  }
  return db.search(model, a.domain, {
    offset: int(a.offset, 'offset') ?? 0,
    limit: int(a.limit, 'limit'),
    order: (a.order as string | null | undefined) ?? null,
    activeTest: activeTest(ctx),
  });
}

function activeTest(ctx: Record<string, unknown>): boolean {
  return ctx.active_test !== false;
}

function int(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw typeError(`'${name}' must be a non-negative integer, got ${JSON.stringify(value)}`);
}

function fieldList(value: unknown): string[] | null {
  if (value === undefined || value === null || value === false) return null;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw typeError(`fields must be a list of field names, got ${JSON.stringify(value)}`);
}

function idList(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v))) {
    return value as number[];
  }
  throw typeError(`ids must be a list of integers, got ${JSON.stringify(value)}`);
}

function fieldsGet(db: FakeOdooDatabase, model: string, a: Record<string, unknown>): Record<string, unknown> {
  const spec = db.spec(model);
  const wanted = Array.isArray(a.allfields) && a.allfields.length > 0 ? (a.allfields as string[]) : null;
  const attributes = Array.isArray(a.attributes) ? (a.attributes as string[]) : null;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    if (wanted && !wanted.includes(name)) continue;
    const description: Record<string, unknown> = {
      type: field.type,
      string: field.string,
      store: field.store !== false,
      readonly: field.store === false || ['id', 'create_date', 'write_date'].includes(name),
      required: field.required === true,
      searchable: field.store !== false,
      sortable: field.store !== false,
      ...(field.relation ? { relation: field.relation } : {}),
    };
    out[name] = attributes
      ? Object.fromEntries(Object.entries(description).filter(([k]) => attributes.includes(k)))
      : description;
  }
  return out;
}
