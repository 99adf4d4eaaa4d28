import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('smoke');
});
afterAll(async () => db?.drop());

test('the template database is migrated', async () => {
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
  expect(rows[0].n).toBeGreaterThanOrEqual(3);
});
