import { Prisma } from './prisma.js';

/** `WHERE a AND b …` for a tagged query, or nothing when there is no condition. */
export function whereClause(conditions: Prisma.Sql[]): Prisma.Sql {
  return conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
}
