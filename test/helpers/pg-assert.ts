import type pg from 'pg';
import { expect } from 'vitest';

/** The fields of a Postgres error that tests assert on. */
export interface PgErrorShape {
  /** SQLSTATE, e.g. 23514 (check_violation), 42501 (insufficient_privilege). */
  code?: string;
  constraint?: string;
  message?: RegExp;
}

interface PgError extends Error {
  code?: string;
  constraint?: string;
}

/** Awaits `promise`, expects it to reject with a Postgres error of the given shape, returns the error. */
export async function expectPgError(promise: Promise<unknown>, shape: PgErrorShape): Promise<PgError> {
  let error: PgError | undefined;
  try {
    await promise;
  } catch (err) {
    error = err as PgError;
  }
  expect(error, 'expected the statement to fail').toBeDefined();
  if (shape.code !== undefined) expect(error!.code).toBe(shape.code);
  if (shape.constraint !== undefined) expect(error!.constraint).toBe(shape.constraint);
  if (shape.message !== undefined) expect(error!.message).toMatch(shape.message);
  return error!;
}

/** Runs `fn` in a transaction on one client of `pool`; commits unless it throws (or `rollback` is set). */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  { rollback = false } = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      const result = await fn(client);
      await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  } finally {
    client.release();
  }
}
