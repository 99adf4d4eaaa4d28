import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { describeIssues, refuseUnstorable } from '../validation.js';

export type RequestPart = 'body' | 'query' | 'params';

/**
 * Parses one part of a request with its zod schema. Every problem becomes an
 * issue `<part>.<path>: <message>`; the error handler answers 400
 * VALIDATION_FAILED with them in `details.issues`.
 */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart): z.output<S> {
  refuseUnstorable(value, `request ${part}`, [part]);
  const parsed = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    `invalid request ${part}: ${requestIssues(parsed.error, part).join('; ')}`,
    requestIssues(parsed.error, part),
  );
}

/** `<part>.<path>: <message>`; an unknown field is named, never its value. */
export function requestIssues(error: z.ZodError, part: string): string[] {
  return describeIssues(error, part);
}

/** Empty: for the query of a route that takes none, and the body of one that takes none. */
export const nothing = z.strictObject({});

/**
 * The JSON Schema of a zod schema's input, for the OpenAPI document
 * (validation stays with zod). Recursive parts (free-form JSON settings)
 * become "any value": a `#/$defs/…` reference would not resolve inside an
 * OpenAPI document.
 */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const {
    $schema: _schema,
    $defs: _defs,
    ...rest
  } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return dropRefs(rest) as Record<string, unknown>;
}

function dropRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropRefs);
  if (node === null || typeof node !== 'object') return node;
  if ('$ref' in node) return {};
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, dropRefs(v)]));
}

/** `limit` of a list: 1..200, 50 by default. */
export const limitSchema = z.coerce
  .number({ error: 'must be a number from 1 to 200' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(200, 'must be at most 200')
  .default(50);

export const booleanQuery = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');
