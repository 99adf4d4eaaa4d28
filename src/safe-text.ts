/**
 * Text from outside (a source's error body, a request path) on its way into
 * a message, a log line or an activity row: one line, no control, bidi or
 * zero-width characters, bounded length.
 */

/**
 * Characters that reorder or hide text: bidi embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069), marks (U+200E, U+200F, U+061C),
 * zero-width ones (U+200B–U+200D, U+2060, U+FEFF) and the soft hyphen.
 */
export const INVISIBLE_CHARACTERS = /[\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/u;

/** C0 and C1 control characters (tab, newline and DEL included). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]/u;

const INVISIBLE_ALL = new RegExp(INVISIBLE_CHARACTERS.source, 'gu');
const CONTROL_ALL = new RegExp(CONTROL_CHARACTERS.source, 'gu');

/** One line of at most `maxChars` characters (then `…`), without control or invisible characters. */
export function safeExcerpt(text: string, maxChars = 160): string {
  const clean = text.replace(CONTROL_ALL, ' ').replace(INVISIBLE_ALL, '').replace(/\s+/g, ' ').trim();
  const chars = [...clean];
  return chars.length > maxChars ? `${chars.slice(0, maxChars).join('')}…` : clean;
}
