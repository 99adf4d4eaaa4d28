import { seededRandom } from '../woocommerce/data.js';
import type { FakeOdooDatabase } from './database.js';
import type { Row } from './values.js';

/** The fake's seeded randomness: numbers, chances, picks from lists and from the database. */
export class Dice {
  private readonly random: () => number;

  constructor(
    seed: number,
    private readonly db: FakeOdooDatabase,
  ) {
    this.random = seededRandom(seed);
  }

  /** A number in [0, 1). */
  next(): number {
    return this.random();
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  /** A random record of `model` passing `filter`: a few random draws, then a scan. */
  anyOf(model: string, filter: (r: Row) => boolean = () => true): Row | undefined {
    const ids = this.db.ids(model);
    for (let i = 0; i < 16 && ids.length > 0; i++) {
      const row = this.db.row(model, ids[this.int(ids.length)]!);
      if (row && filter(row)) return row;
    }
    const rows = [...this.db.table(model).values()].filter(filter);
    return rows.length ? rows[this.int(rows.length)] : undefined;
  }
}
