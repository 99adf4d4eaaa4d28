import fc from 'fast-check';

/**
 * Inputs a new user (or an attacker) might send, for the property tests:
 * strings Postgres cannot store or parse, dates it refuses, tampered
 * cursors, nesting deep enough to overflow a recursive validator.
 */

/** Runs and seed: `FUZZ_SEED=… FUZZ_RUNS=…` replay a failure (fast-check prints the seed and path). */
export function fuzzParams(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return {
    numRuns: Number(process.env.FUZZ_RUNS ?? numRuns),
    ...(seed === undefined ? {} : { seed }),
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
  };
}

const nastyConstants = [
  '',
  '\u0000',
  'a\u0000b',
  '0000-01-01T00:00:00Z',
  '0000-01-01T00:00:00.000000Z',
  '2026-02-30T10:00:00Z',
  '2026-13-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '-001-01-01T00:00:00Z',
  "'; DROP TABLE sync_record; --",
  '../../etc/passwd',
  '%00',
  '%',
  'null',
  '{}',
  '[]',
  '-1',
  '0',
  '1e309',
  'NaN',
  'true',
  '__proto__',
  'constructor',
  '\uD800',
  '\u202E',
  'x'.repeat(300),
];

/** A string from the nasty list, any unicode, or raw UTF-16 units (lone surrogates, NUL). */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...nastyConstants),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.uuid().map((u) => `${u}\u0000`),
  fc.uuid(),
);

/** A cursor-looking value: base64url JSON of [timestamp-ish, id-ish], or garbage. */
export const tamperedCursor: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom(
          '0000-01-01T00:00:00.000000Z',
          '2026-02-30T00:00:00.000000Z',
          '2026-00-10T00:00:00.000000Z',
          '2026-01-01T25:61:61.000000Z',
        ),
        fc
          .tuple(
            fc.integer({ min: 0, max: 9999 }),
            fc.integer({ min: 0, max: 99 }),
            fc.integer({ min: 0, max: 99 }),
            fc.integer({ min: 0, max: 99 }),
          )
          .map(
            ([y, m, d, h]) =>
              `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00.000000Z`,
          ),
        nastyString,
      ),
      fc.oneof(fc.uuid(), nastyString),
    )
    .map((pair) => Buffer.from(JSON.stringify(pair), 'utf8').toString('base64url')),
  nastyString,
);

/** `{"a":{"a":…}}` or `[[[…]]]`, `depth` levels. */
export function nested(depth: number, array: boolean, leaf: unknown = 1): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = array ? [value] : { a: value };
  return value;
}

export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 60, max: 3000 }), fc.boolean())
  .map(([depth, array]) => nested(depth, array));

/** Any JSON, with nasty strings as keys and values, sometimes very deep. */
export const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 4,
    arbitrary: fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        nastyString,
        fc.integer(),
        fc.constantFrom(null, true, 1.5, -0),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(nastyString, tie('v'), { maxKeys: 3 }),
      ),
    })).v,
  },
  { weight: 1, arbitrary: deepValue },
);

/** An object with some of `keys` (nasty or sensible values) and maybe an unknown key. */
export function objectWith(
  keys: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(keys).map(
    ([k, sensible]) => [k, fc.oneof(sensible, nastyString, nastyJson)] as const,
  );
  return fc
    .tuple(
      fc.record(Object.fromEntries(entries), { requiredKeys: [] }),
      fc.option(fc.tuple(nastyString, nastyJson), { nil: undefined }),
    )
    .map(([record, extra]) => (extra ? { ...record, [extra[0]]: extra[1] } : record));
}
