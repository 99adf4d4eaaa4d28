import { valueError } from './faults.js';
import type { FieldSpec, ModelSpec } from './models.js';
import type { Row } from './values.js';

/** What an order needs from the database: many2one values sort by the related record's name. */
export interface OrderContext {
  row(model: string, id: number): Row | undefined;
  displayName(model: string, row: Row): string;
}

/** The `k` smallest rows in order: a bounded insertion sort, so a page of a large table costs O(n·log k). */
export function smallest(rows: Row[], k: number, cmp: (a: Row, b: Row) => number): Row[] {
  if (rows.length <= k * 4) return rows.sort(cmp).slice(0, k);
  const top: Row[] = [];
  for (const row of rows) {
    if (top.length === k && cmp(row, top[k - 1]!) >= 0) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(top[mid]!, row) <= 0) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, row);
    if (top.length > k) top.pop();
  }
  return top;
}

/** `"write_date asc, id asc"` → a comparator; an unknown or non-stored field is Odoo's ValueError. */
export function compileOrder(spec: ModelSpec, order: string, db: OrderContext): (a: Row, b: Row) => number {
  const invalid = () =>
    valueError(
      `Invalid "order" specified (${order}). A valid "order" specification is a comma-separated list ` +
        'of valid field names (optionally followed by asc/desc for the direction)',
    );
  const terms = order
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((term) => {
      const m = /^(\w+)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?$/i.exec(term);
      if (!m) throw invalid();
      const name = m[1]!;
      const field = Object.hasOwn(spec.fields, name) ? spec.fields[name] : undefined;
      if (!field) throw invalid();
      if (field.store === false)
        throw valueError(`Cannot convert ${spec.name}.${name} to SQL because it is not stored`);
      const desc = m[2]?.toLowerCase() === 'desc';
      const nullsFirst = m[3] ? m[3].toLowerCase() === 'first' : desc; // PostgreSQL: NULLS LAST for ASC
      return { name, field, desc, nullsFirst };
    });
  return (a, b) => {
    for (const t of terms) {
      const x = sortKey(t.field, a[t.name], db);
      const y = sortKey(t.field, b[t.name], db);
      if (x === y) continue;
      if (x === null) return t.nullsFirst ? -1 : 1;
      if (y === null) return t.nullsFirst ? 1 : -1;
      const c = x < y ? -1 : 1;
      return t.desc ? -c : c;
    }
    return 0;
  };
}

function sortKey(field: FieldSpec, value: unknown, db: OrderContext): number | string | null {
  if (value === null || value === undefined || value === '') return null;
  if (field.type === 'many2one' && typeof value === 'number' && field.relation) {
    const row = db.row(field.relation, value);
    return row ? db.displayName(field.relation, row) : value;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return null;
}
