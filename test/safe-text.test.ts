import { describe, expect, test } from 'vitest';
import { bodyExcerpt } from '../src/adapters/http/redact.js';
import { safeExcerpt } from '../src/safe-text.js';

describe('safeExcerpt', () => {
  test('one line, no control, bidi or zero-width characters', () => {
    expect(safeExcerpt('a\r\nb\tc\u0000d\u001b[31me\u009bf')).toBe('a b c d [31me f');
    expect(safeExcerpt('pay\u202Eexe.txt\u200B\u2066x\u2069\uFEFF')).toBe('payexe.txtx');
  });

  test('bounded, counting characters not UTF-16 units', () => {
    expect(safeExcerpt('x'.repeat(500), 120)).toBe(`${'x'.repeat(120)}…`);
    expect(safeExcerpt('😀'.repeat(10), 3)).toBe('😀😀😀…');
  });
});

describe('bodyExcerpt of a source error body', () => {
  test('tags and scripts stripped, secrets redacted, bounded', () => {
    const html = `<html><script>var k="ck_abcdefgh1234"</script><body>\n<h1>Error</h1>\u0007 consumer cs_abcdefgh5678 ${'y'.repeat(400)}</body></html>`;
    const excerpt = bodyExcerpt(html);
    expect(excerpt.startsWith('Error consumer [redacted] yyy')).toBe(true);
    expect(excerpt).not.toMatch(/ck_|cs_|</);
    expect(excerpt).not.toContain('\u0007');
    expect([...excerpt].length).toBeLessThanOrEqual(121);
  });

  test('a secret at the cut is redacted whole, never left half', () => {
    const secret = 'opaque-password-value';
    const excerpt = bodyExcerpt(`${'z'.repeat(110)} ${secret}`, 120, [secret]);
    expect(excerpt).toBe(`${'z'.repeat(110)} [redacted…`);
    expect(excerpt).not.toContain('opaque');
  });
});
