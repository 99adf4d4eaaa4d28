import { compileDomain, type DomainContext } from './domain.js';
import { compileOrder, smallest } from './ordering.js';
import { missingError, valueError } from './faults.js';
import { hasActive, modelSpec, type FieldSpec, type ModelSpec } from './models.js';
import { formatDatetime, microsOfDate, type Row } from './values.js';

export interface SearchOptions {
  offset?: number;
  /** Falsy: no limit (Odoo's `limit=None` / `0`). */
  limit?: number | null;
  order?: string | null;
  /** `context.active_test`: archived records are hidden unless false. @defaultValue true */
  activeTest?: boolean;
}

export interface FakeOdooClockOptions {
  /** The database clock at start; generated records are older. @defaultValue 2025-06-01T12:00:00Z */
  now?: Date;
  /**
   * What PostgreSQL keeps of `write_date`: Odoo stores the transaction's
   * `now()` with microseconds but reads it out in whole seconds, so two
   * transactions in one second look tied on the wire and are not equal in a
   * domain. `second` stores whole seconds (every write in a second ties).
   * @defaultValue 'microsecond'
   */
  writeDatePrecision?: 'microsecond' | 'second';
  /** Models whose app is not installed: calls on them fail as on such a database. @defaultValue [] */
  uninstalled?: string[];
}

/**
 * The fake Odoo database: one table per model, a manual clock, and the ORM
 * calls the RPC layer needs (search with domain/order/offset/limit and
 * `active_test`, read in Odoo's wire shapes, create/write/unlink stamping
 * `create_date`/`write_date` once per transaction).
 */
export class FakeOdooDatabase implements DomainContext {
  private clockMicros: number;
  private lastTx = 0;
  private readonly precision: 'microsecond' | 'second';
  private readonly tables = new Map<string, Map<number, Row>>();
  private readonly nextIds = new Map<string, number>();
  private readonly idLists = new Map<string, number[]>();
  private readonly uninstalled: Set<string>;

  constructor(options: FakeOdooClockOptions = {}) {
    this.uninstalled = new Set(options.uninstalled ?? []);
    this.clockMicros = microsOfDate(options.now ?? new Date('2025-06-01T12:00:00Z'));
    this.precision = options.writeDatePrecision ?? 'microsecond';
  }

  now(): Date {
    return new Date(Math.floor(this.clockMicros / 1000));
  }

  /** Moves the clock forward (the next transactions are stamped later). */
  advance(seconds = 1): Date {
    this.clockMicros += seconds * 1_000_000;
    return this.now();
  }

  /** The timestamp of a new transaction: the clock, strictly after the previous transaction. */
  transaction(at?: Date): number {
    if (at) return this.stamp(microsOfDate(at));
    // A real transaction starts somewhere inside its second, hardly ever on .000000.
    this.lastTx = Math.max(this.lastTx + 1, this.clockMicros + 123_457);
    return this.stamp(this.lastTx);
  }

  private stamp(micros: number): number {
    return this.precision === 'second' ? Math.floor(micros / 1_000_000) * 1_000_000 : micros;
  }

  /** The model exists in this database (its app is installed). */
  installed(model: string): boolean {
    return modelSpec(model) !== undefined && !this.uninstalled.has(model);
  }

  spec(model: string): ModelSpec {
    const spec = modelSpec(model);
    if (!spec) throw new Error(`fake odoo: no model ${model}`);
    return spec;
  }

  table(model: string): Map<number, Row> {
    let table = this.tables.get(model);
    if (!table) {
      this.spec(model);
      table = new Map();
      this.tables.set(model, table);
    }
    return table;
  }

  row(model: string, id: number): Row | undefined {
    return this.table(model).get(id);
  }

  /** Creates a record in its own transaction (or at `at`), with the next id unless `values.id` is given. */
  create(model: string, values: Record<string, unknown>, at?: number): Row {
    const spec = this.spec(model);
    const stamp = at ?? this.transaction();
    const given = typeof values.id === 'number' ? values.id : undefined;
    const id = given ?? this.nextId(model);
    if (given !== undefined) this.nextIds.set(model, Math.max(this.nextIds.get(model) ?? 1, given + 1));
    const row: Row = { ...defaults(spec), ...values, id, create_date: stamp, write_date: stamp };
    this.table(model).set(id, row);
    this.idLists.get(model)?.push(id);
    this.afterWrite(model, row);
    return row;
  }

  /** Writes `values` on every id in one transaction: they share one `write_date`. */
  write(model: string, ids: readonly number[], values: Record<string, unknown>, at?: number): Row[] {
    const stamp = at ?? this.transaction();
    return ids.map((id) => {
      const row = this.row(model, id);
      if (!row) throw missingError(`Record does not exist or has been deleted.\n(Record: ${model}(${id},))`);
      Object.assign(row, values, { id, write_date: stamp });
      this.afterWrite(model, row);
      return row;
    });
  }

  /** Deletes for good (`unlink`); one2many children go with their parent. */
  unlink(model: string, ids: readonly number[]): void {
    const table = this.table(model);
    this.idLists.delete(model);
    for (const id of ids) {
      const row = table.get(id);
      if (!row) continue;
      table.delete(id);
      if (model === 'res.partner') this.orphanContacts(id);
      if (model === 'sale.order') this.unlink('sale.order.line', row.order_line as number[]);
      if (model === 'product.attribute') this.unlink('product.attribute.value', row.value_ids as number[]);
    }
  }

  /**
   * A company's contacts lose their `parent_id` when it is unlinked: PostgreSQL's
   * `ON DELETE SET NULL` does it, below the ORM, so their `write_date` stays.
   */
  private orphanContacts(parentId: number): void {
    for (const row of this.table('res.partner').values())
      if (row.parent_id === parentId) row.parent_id = null;
  }

  /** Rows matching the domain, in the requested order, windowed by offset/limit. */
  search(model: string, domain: unknown, options: SearchOptions = {}): Row[] {
    const spec = this.spec(model);
    const compiled = compileDomain(domain, spec, this);
    const sort = compileOrder(spec, options.order ?? spec.order, this);
    const hideArchived = options.activeTest !== false && hasActive(spec) && !compiled.mentionsActive;
    const rows = [...this.table(model).values()].filter(
      (r) => (!hideArchived || r.active !== false) && compiled.test(r),
    );
    const offset = Math.max(0, options.offset ?? 0);
    if (!options.limit) return rows.sort(sort).slice(offset);
    return smallest(rows, offset + options.limit, sort).slice(offset);
  }

  /** Ids of `model` (a cached list, for picking related records at random). */
  ids(model: string): readonly number[] {
    let ids = this.idLists.get(model);
    if (!ids) {
      ids = [...this.table(model).keys()];
      this.idLists.set(model, ids);
    }
    return ids;
  }

  /** Rows by id (missing ones skipped, as `read` on a vanished id raises in Odoo: see rpc). */
  browse(model: string, ids: readonly number[]): Row[] {
    return ids.map((id) => this.row(model, id)).filter((r): r is Row => r !== undefined);
  }

  /** Rows in Odoo's wire shapes: `false` for empty, `[id, name]` many2one, naive UTC datetimes. */
  read(model: string, rows: readonly Row[], fields?: readonly string[] | null): Record<string, unknown>[] {
    const spec = this.spec(model);
    const names = fields && fields.length > 0 ? [...fields] : Object.keys(spec.fields);
    for (const name of names) {
      if (!Object.hasOwn(spec.fields, name)) throw valueError(`Invalid field '${name}' on model '${model}'`);
    }
    if (!names.includes('id')) names.unshift('id');
    return rows.map((row) =>
      Object.fromEntries(names.map((name) => [name, this.wire(spec, name, spec.fields[name]!, row)])),
    );
  }

  displayName(model: string, row: Row): string {
    const spec = this.spec(model);
    if (model === 'res.country.state') {
      const country = this.row('res.country', row.country_id as number);
      return `${String(row.name)} (${String(country?.code ?? '')})`;
    }
    if (model === 'product.product') {
      const code = row.default_code ? `[${String(row.default_code)}] ` : '';
      return `${code}${String(row.name)}`;
    }
    if (model === 'stock.quant') {
      const product = this.row('product.product', row.product_id as number);
      return product ? this.displayName('product.product', product) : String(row.id);
    }
    const value = row[spec.recName] ?? row.name;
    return typeof value === 'string' && value ? value : `${model},${row.id}`;
  }

  private wire(spec: ModelSpec, name: string, field: FieldSpec, row: Row): unknown {
    const value = this.computed(spec.name, name, row) ?? row[name];
    switch (field.type) {
      case 'integer':
      case 'float':
      case 'monetary':
        return typeof value === 'number' ? value : 0;
      case 'boolean':
        return value === true;
      case 'datetime':
        return typeof value === 'number' ? formatDatetime(value) : false;
      case 'many2one': {
        if (typeof value !== 'number' || !field.relation) return false;
        const related = this.row(field.relation, value);
        return related ? [value, this.displayName(field.relation, related)] : false;
      }
      case 'one2many':
      case 'many2many':
        return Array.isArray(value) ? [...(value as number[])] : [];
      default:
        return typeof value === 'string' && value !== '' ? value : false;
    }
  }

  /** Non-stored fields, computed at read time. */
  private computed(model: string, name: string, row: Row): unknown {
    if (name === 'display_name') return this.displayName(model, row);
    if (model === 'res.partner' && name === 'country_code') {
      return this.row('res.country', row.country_id as number)?.code ?? null;
    }
    if (model === 'res.partner' && name === 'commercial_company_name') {
      const parent = typeof row.parent_id === 'number' ? this.row('res.partner', row.parent_id) : undefined;
      return row.is_company ? row.name : (parent?.name ?? null);
    }
    if (model === 'product.product' && name === 'lst_price') return row.list_price;
    if (model === 'product.product' && name === 'qty_available') {
      let sum = 0;
      for (const quant of this.table('stock.quant').values()) {
        const location = this.row('stock.location', quant.location_id as number);
        if (quant.product_id === row.id && location?.usage === 'internal') sum += quant.quantity as number;
      }
      return sum;
    }
    return undefined;
  }

  /** Stored values other fields depend on (names, parent paths, one2many inverses). */
  private afterWrite(model: string, row: Row): void {
    if (model === 'res.partner') {
      const parent = typeof row.parent_id === 'number' ? this.row('res.partner', row.parent_id) : undefined;
      row.complete_name = parent ? `${String(parent.name)}, ${String(row.name)}` : row.name;
    }
    if (model === 'product.category') {
      const parent = typeof row.parent_id === 'number' ? this.row(model, row.parent_id) : undefined;
      row.complete_name = parent ? `${String(parent.complete_name)} / ${String(row.name)}` : row.name;
      row.parent_path = `${parent ? String(parent.parent_path) : ''}${row.id}/`;
    }
    if (model === 'stock.location') {
      row.complete_name ??= row.name;
    }
  }

  private nextId(model: string): number {
    const next = this.nextIds.get(model) ?? 1;
    this.nextIds.set(model, next + 1);
    return next;
  }
}

/** Values a new record starts with when not given (Odoo's defaults). */
function defaults(spec: ModelSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    if (field.store === false || name === 'id') continue;
    if (name === 'active') out[name] = true;
    else if (field.type === 'one2many' || field.type === 'many2many') out[name] = [];
    else if (field.type === 'integer' || field.type === 'float' || field.type === 'monetary') out[name] = 0;
    else if (field.type === 'boolean') out[name] = false;
    else out[name] = null;
  }
  return out;
}
