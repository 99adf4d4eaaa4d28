/**
 * Shopify's search syntax in the `query:` argument, the part the fake needs:
 * space-separated terms (AND), `field:value`, `field:>value`, `>=`, `<`, `<=`,
 * values bare or quoted ('…' or "…"). Terms on fields the fake does not index
 * match everything, as Shopify ignores what it cannot search.
 */
export interface SearchTerm {
  field: string;
  op: '=' | '>' | '>=' | '<' | '<=';
  value: string;
}

export type Searchable = (field: string) => number | string | undefined;

export function parseSearch(query: string | null | undefined): SearchTerm[] {
  const terms: SearchTerm[] = [];
  const text = (query ?? '').trim();
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ') i++;
    if (i >= text.length) break;
    const colon = text.indexOf(':', i);
    const space = text.indexOf(' ', i);
    if (colon < 0 || (space >= 0 && space < colon)) {
      i = space < 0 ? text.length : space; // a free-text word: ignored
      continue;
    }
    const field = text.slice(i, colon).toLowerCase();
    i = colon + 1;
    const op = (['>=', '<=', '>', '<'] as const).find((o) => text.startsWith(o, i)) ?? '=';
    if (op !== '=') i += op.length;
    let value: string;
    const quote = text[i];
    if (quote === "'" || quote === '"') {
      const end = text.indexOf(quote, i + 1);
      value = text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end + 1;
    } else {
      const end = text.indexOf(' ', i);
      value = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    terms.push({ field, op, value });
  }
  return terms;
}

/** True when a record matches every term it can be searched on. */
export function matches(terms: SearchTerm[], get: Searchable): boolean {
  return terms.every((term) => {
    const actual = get(term.field);
    if (actual === undefined) return true;
    const wanted = typeof actual === 'number' ? numberOf(term) : term.value.toLowerCase();
    if (wanted === undefined) return false;
    const a = typeof actual === 'string' ? actual.toLowerCase() : actual;
    switch (term.op) {
      case '=':
        return a === wanted;
      case '>':
        return a > wanted;
      case '>=':
        return a >= wanted;
      case '<':
        return a < wanted;
      case '<=':
        return a <= wanted;
    }
  });
}

/** Dates (ISO) as epoch ms, ids (numbers or gids) as their number. */
function numberOf(term: SearchTerm): number | undefined {
  if (term.field.endsWith('_at')) {
    const ms = Date.parse(term.value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const tail = /(\d+)$/.exec(term.value);
  return tail ? Number(tail[1]) : undefined;
}
