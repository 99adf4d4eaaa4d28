import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as generatedEnums from '../../src/generated/prisma/enums.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { readGeneratedDataModel, type DataModel, type ModelField } from '../helpers/prisma-data-model.js';

/**
 * Drift guard (DESIGN.md, "Prisma on machines without internet"): the
 * migrations are hand-written SQL and `prisma migrate diff` cannot run here,
 * so this test compares the generated client's data model with the migrated
 * database: every model's table exists, every scalar field's column exists
 * with a compatible type, and nullability matches.
 */

interface DbColumn {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_identity: 'YES' | 'NO';
  is_generated: 'ALWAYS' | 'NEVER';
}

/** information_schema data_type values each Prisma scalar type may map to. */
const COMPATIBLE: Record<string, string[]> = {
  String: ['character varying', 'text', 'character', 'uuid'],
  Int: ['integer'],
  BigInt: ['bigint'],
  DateTime: ['timestamp with time zone'],
  Json: ['jsonb'],
  Decimal: ['numeric'],
  Boolean: ['boolean'],
  Float: ['double precision'],
  Bytes: ['bytea'],
};

let db: TestDatabase;
let model: DataModel;
let columns: Map<string, Map<string, DbColumn>>;

beforeAll(async () => {
  db = await createTestDatabase('schema_drift');
  model = readGeneratedDataModel();
  const { rows } = await db.pool.query<DbColumn>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, is_identity, is_generated
       FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  columns = new Map();
  for (const row of rows) {
    if (!columns.has(row.table_name)) columns.set(row.table_name, new Map());
    columns.get(row.table_name)!.set(row.column_name, row);
  }
});
afterAll(async () => db?.drop());

/** Every difference between the model's scalar fields and the database columns, sorted. */
function fieldDrift(dataModel: DataModel, dbColumns: Map<string, Map<string, DbColumn>>): string[] {
  const problems: string[] = [];
  for (const m of dataModel.models) {
    const table = dbColumns.get(m.table);
    if (!table) continue; // reported by its own test
    for (const f of m.fields) {
      const where = `${m.name}.${f.name} (${m.table}.${f.column})`;
      const col = table.get(f.column);
      if (!col) {
        problems.push(`${where}: no such column`);
        continue;
      }
      if (f.kind === 'enum') {
        const dbEnum = dataModel.enumDbNames.get(f.type) ?? f.type;
        if (col.data_type !== 'USER-DEFINED' || col.udt_name !== dbEnum) {
          problems.push(`${where}: enum ${f.type} needs type ${dbEnum}, column is ${col.udt_name}`);
        }
      } else {
        const allowed = COMPATIBLE[f.type];
        if (!allowed) problems.push(`${where}: no known column type for Prisma type ${f.type}`);
        else if (!allowed.includes(col.data_type)) {
          problems.push(`${where}: ${f.type} is not compatible with ${col.data_type}`);
        }
      }
      const dbNullable = col.is_nullable === 'YES';
      if (dbNullable !== f.nullable) {
        problems.push(
          `${where}: field is ${f.nullable ? 'optional' : 'required'} but column is ${dbNullable ? 'NULL' : 'NOT NULL'}`,
        );
      }
    }
  }
  return problems.sort();
}

describe('the data model read from the generated client', () => {
  test('agrees with the runtime exports of the client (model names, scalar fields)', () => {
    expect(model.models.map((m) => m.name).sort()).toEqual(Object.values(Prisma.ModelName).sort());
    const namespace = Prisma as unknown as Record<string, Record<string, string> | undefined>;
    for (const m of model.models) {
      const scalarEnum = namespace[`${m.name}ScalarFieldEnum`];
      expect(scalarEnum, `Prisma.${m.name}ScalarFieldEnum`).toBeDefined();
      expect(m.fields.map((f) => f.name).sort(), m.name).toEqual(Object.values(scalarEnum!).sort());
    }
  });

  test('has the models and @map names of schema.prisma', () => {
    const tables = Object.fromEntries(model.models.map((m) => [m.name, m.table]));
    expect(tables).toMatchObject({
      SyncPreviewCache: 'sync_preview_cache',
      SyncProgress: 'sync_progress',
      SyncActivityLog: 'sync_activity_log',
    });
    const progress = model.models.find((m) => m.name === 'SyncProgress')!;
    expect(progress.fields.find((f) => f.name === 'processedCount')).toEqual({
      name: 'processedCount',
      column: 'processed_count',
      kind: 'scalar',
      type: 'Int',
      nullable: false,
    } satisfies ModelField);
    expect(progress.fields.find((f) => f.name === 'completedAt')?.nullable).toBe(true);
    expect(progress.fields.find((f) => f.name === 'status')).toMatchObject({
      kind: 'enum',
      type: 'SyncStatusType',
    });
  });
});

describe('every model matches the migrated database', () => {
  test('every model has its table', () => {
    const missing = model.models.filter((m) => !columns.has(m.table)).map((m) => `${m.name} → ${m.table}`);
    expect(missing).toEqual([]);
  });

  test('every scalar field has its column, with a compatible type and the same nullability', () => {
    expect(fieldDrift(model, columns)).toEqual([]);
  });

  test('the guard itself notices a missing column, an incompatible type and a nullability change', () => {
    const drifted = new Map([...columns].map(([t, cols]) => [t, new Map(cols)]));
    const progress = drifted.get('sync_progress')!;
    progress.delete('job_id');
    progress.set('total_items', { ...progress.get('total_items')!, data_type: 'bigint' });
    progress.set('completed_at', { ...progress.get('completed_at')!, is_nullable: 'NO' });
    progress.set('status', { ...progress.get('status')!, udt_name: 'sync_type' });
    expect(fieldDrift(model, drifted)).toEqual(
      [
        'SyncProgress.jobId (sync_progress.job_id): no such column',
        'SyncProgress.status (sync_progress.status): enum SyncStatusType needs type sync_status_type, column is sync_type',
        'SyncProgress.totalItems (sync_progress.total_items): Int is not compatible with bigint',
        'SyncProgress.completedAt (sync_progress.completed_at): field is optional but column is NOT NULL',
      ].sort(),
    );
  });

  test('every NOT NULL column without a default is a field, so Prisma can insert rows', () => {
    const problems: string[] = [];
    for (const m of model.models) {
      const fields = new Set(m.fields.map((f) => f.column));
      for (const col of columns.get(m.table)?.values() ?? []) {
        const filledByDb =
          col.column_default !== null || col.is_identity === 'YES' || col.is_generated === 'ALWAYS';
        if (col.is_nullable === 'NO' && !filledByDb && !fields.has(col.column_name)) {
          problems.push(
            `${m.table}.${col.column_name} is NOT NULL without default but not in model ${m.name}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('every Prisma enum is a database enum with the same labels, in the same order', async () => {
    const problems: string[] = [];
    const enums = generatedEnums as unknown as Record<string, Record<string, string>>;
    for (const [name, dbName] of model.enumDbNames) {
      const values = enums[name];
      if (!values) {
        problems.push(`enum ${name}: not exported by the generated client`);
        continue;
      }
      const { rows } = await db.pool.query<{ label: string }>(
        `SELECT e.enumlabel AS label FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
          WHERE t.typname = $1 AND t.typnamespace = 'public'::regnamespace ORDER BY e.enumsortorder`,
        [dbName],
      );
      const labels = rows.map((r) => r.label);
      if (JSON.stringify(labels) !== JSON.stringify(Object.values(values))) {
        problems.push(
          `enum ${name} (${dbName}): Prisma ${Object.values(values).join(',')} vs database ${labels.join(',')}`,
        );
      }
    }
    expect(model.enumDbNames.size).toBeGreaterThanOrEqual(4);
    expect(problems).toEqual([]);
  });
});
