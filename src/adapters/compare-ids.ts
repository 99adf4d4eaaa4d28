/**
 * The order of two external ids by their numeric tail: `"99" < "100"`,
 * `"gid://shopify/Customer/99" < "gid://shopify/Customer/100"`. Ids with
 * different prefixes, or without a numeric tail, compare as strings. Digits
 * are compared by length then text, so ids beyond 2^53 keep their order.
 */
export function compareNumericIds(a: string, b: string): number {
  const ta = numericTail(a);
  const tb = numericTail(b);
  if (ta && tb && ta.prefix === tb.prefix) {
    if (ta.digits.length !== tb.digits.length) return ta.digits.length - tb.digits.length;
    return compareText(ta.digits, tb.digits);
  }
  return compareText(a, b);
}

function numericTail(id: string): { prefix: string; digits: string } | undefined {
  const match = /^(.*?)(\d+)$/.exec(id);
  if (!match) return undefined;
  return { prefix: match[1]!, digits: match[2]!.replace(/^0+(?=\d)/, '') };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
