import { z } from 'zod';
import { parseDurationMs } from '../config.js';
import { ValidationError } from '../errors.js';
import { entityTypes, unstorableProblems } from '../validation.js';

/**
 * The CLI's flag values, validated with zod before anything runs; every
 * message names the flag (`--entity: must be one of …`), never a schema path.
 */

/** A flag's string value; `is required` when absent. */
const given = () => z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') });

/** A uuid flag; `what` says whose (shown in the message). */
export const uuidFlag = (what: string) =>
  given()
    .trim()
    .pipe(z.uuid({ error: (i) => `must be ${what} (a uuid), got "${String(i.input)}"` }));

/** One of `values`, case-insensitive. */
const oneOf = <const V extends readonly [string, ...string[]]>(values: V) =>
  given()
    .trim()
    .toLowerCase()
    .pipe(z.enum(values, { error: (i) => `must be one of ${values.join(', ')}, got "${String(i.input)}"` }));

/** An entity type, case-insensitive. */
export const entityFlag = oneOf(entityTypes);

/** full | incremental, case-insensitive. */
export const modeFlag = oneOf(['full', 'incremental']);

/** A number of seconds ≥ 0 (0: no limit). */
export const secondsFlag = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds ≥ 0 (0: no limit)')
  .transform(Number);

/** A duration: 90s, 30m, 1h, 1d (a bare number is seconds) → milliseconds, > 0. */
export const durationFlag = z
  .string()
  .refine((v) => (parseDurationMs(v) ?? 0) > 0, 'must be a duration like 90s, 30m, 1h or 1d')
  .transform((v) => parseDurationMs(v)!);

/** `apiVersion` → `--api-version`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Refuses flag values Postgres could not store (a NUL character: argv cannot
 * carry one, but a flag read from a file or the environment can), each named
 * by its flag: ValidationError, exit 2. Positional arguments are `argument N`.
 */
export function refuseUnstorableFlags(opts: unknown, positional: readonly unknown[] = []): void {
  const issues = [
    ...unstorableProblems(opts ?? {}).map((p) => {
      const [key, ...rest] = p.path;
      return `${key === undefined ? 'flags' : [flagName(key), ...rest].join('.')}: ${p.message}`;
    }),
    ...positional.flatMap((value, i) =>
      unstorableProblems(value).map((p) => `argument ${i + 1}: ${p.message}`),
    ),
  ];
  if (issues.length) {
    throw new ValidationError(`invalid flags:\n${issues.map((i) => `  - ${i}`).join('\n')}`, issues);
  }
}

/** Validates a command's options; ValidationError listing each bad flag by name (exit 2). */
export function parseFlags<S extends z.ZodType>(schema: S, opts: unknown): z.output<S> {
  refuseUnstorableFlags(opts);
  const parsed = schema.safeParse(opts);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => {
    const key = i.path[0];
    return `${typeof key === 'string' ? flagName(key) : 'flags'}: ${i.message}`;
  });
  throw new ValidationError(`invalid flags:\n${issues.map((i) => `  - ${i}`).join('\n')}`, issues);
}

/** The producers' input fields and the flags that set them. */
const PRODUCER_FLAGS: Record<string, string> = {
  connectionId: '--connection',
  entityType: '--entity',
  mode: '--mode',
  cron: '--cron',
};

/**
 * A producer's ValidationError (`entityType: WooCommerce connections have no
 * invoice …`) with its issues named by flag (`--entity: …`); the code is kept
 * (ENTITY_NOT_SUPPORTED). Anything else is returned as it is.
 */
export function asFlagError(err: unknown): unknown {
  if (!(err instanceof ValidationError) || err.issues.length === 0) return err;
  const issues = err.issues.map((issue) => {
    const at = issue.indexOf(': ');
    const flag = PRODUCER_FLAGS[issue.slice(0, at)];
    return flag ? `${flag}${issue.slice(at)}` : issue;
  });
  return new ValidationError(`invalid flags:\n${issues.map((i) => `  - ${i}`).join('\n')}`, issues, err.code);
}
