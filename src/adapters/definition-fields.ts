import { z } from 'zod';

/** Field schemas shared by the sources' definitions (one message style everywhere). */

/** A non-empty trimmed string; `what` names it in the message ("is required (Odoo login)"). */
export const requiredString = (what: string) =>
  z
    .string({
      error: (i) => (i.input === undefined ? `is required (${what})` : `must be a string (${what})`),
    })
    .trim()
    .min(1, `must not be empty (${what})`);

/** Settings a source does not know are kept as free-form JSON. */
export const extraSetting = z.json();

/**
 * `rateLimitPerSecond`: the store's request budget, shared by every job and
 * worker talking to it (a number, or its text from `--setting k=v`). Absent:
 * the source's `rateBudget.defaultPerSecond`.
 */
export const rateLimitPerSecond = z.coerce
  .number({ error: 'must be a number of requests per second' })
  .positive('must be above 0')
  .max(100_000, 'must be at most 100000')
  .optional();
