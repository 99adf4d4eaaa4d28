import type { FastifyBaseLogger } from 'fastify';
import type { PrismaClient } from '../db/prisma.js';
import { loadSql } from '../db/sql/load-sql.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { ApiDatabase } from './api-database.js';

/** A check could not ask the database (down, or the login refused): why. */
export interface Unknown {
  unknown: unknown;
}

/**
 * Refuses an API_DB_ROLE under which RLS would not apply (missing, superuser,
 * BYPASSRLS) or that the API's login cannot switch to. Returns the error
 * when it could not ask (database down, login refused): /readyz reports that.
 */
export async function checkApiRole(prisma: PrismaClient, role: string): Promise<'ok' | Unknown> {
  let rows: { super: boolean; bypass: boolean; member: boolean; me: string }[];
  try {
    rows = await prisma.$queryRaw`
      SELECT r.rolsuper AS super, r.rolbypassrls AS bypass,
             pg_has_role(current_user, r.oid, 'MEMBER') AS member, current_user::text AS me
        FROM pg_roles r WHERE r.rolname = ${role}`;
  } catch (err) {
    return { unknown: err };
  }
  const row = rows[0];
  if (!row) {
    throw new ConfigError([
      `API_DB_ROLE: role "${role}" does not exist; run \`sync-worker migrate\` (it creates sync_worker_api)`,
    ]);
  }
  if (row.super || row.bypass) {
    throw new ConfigError([
      `API_DB_ROLE: role "${role}" bypasses row-level security (superuser or BYPASSRLS); use sync_worker_api`,
    ]);
  }
  if (!row.member) {
    throw new ConfigError([
      `API_DB_ROLE: database user "${row.me}" cannot SET ROLE "${role}"; run GRANT "${role}" TO "${row.me}"`,
    ]);
  }
  return 'ok';
}

/** What the API's login can do besides becoming the API role: nothing, for an authenticator. */
export interface ApiLoginReport {
  login: string;
  /** Empty when the login can do nothing but become the API role. */
  problems: string[];
}

interface LoginRow {
  login: string;
  superuser: boolean;
  bypass_rls: boolean;
  create_role: boolean;
  other_roles: string[];
  tables: string[];
}

const listed = (names: string[]) =>
  names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;

/** Inspects the login of `prisma` (see sql/api-login-check.sql); the error when it could not ask. */
export async function inspectApiLogin(prisma: PrismaClient, role: string): Promise<ApiLoginReport | Unknown> {
  let row: LoginRow | undefined;
  try {
    [row] = await prisma.$queryRawUnsafe<LoginRow[]>(loadSql('api-login-check'), role);
  } catch (err) {
    return { unknown: err };
  }
  if (!row) return { unknown: new Error('the login is not in pg_roles') };
  const problems: string[] = [];
  if (row.superuser) problems.push('is a superuser');
  if (row.bypass_rls) problems.push('has BYPASSRLS');
  if (row.create_role) problems.push('has CREATEROLE (it could grant itself other roles)');
  if (row.other_roles.length) problems.push(`can also SET ROLE ${listed(row.other_roles)}`);
  if (row.tables.length) {
    problems.push(
      `can use ${row.tables.length} table(s) without SET ROLE (${listed(row.tables)}): ` +
        'it must own nothing, hold no grants and be NOINHERIT',
    );
  }
  return { login: row.login, problems };
}

/**
 * The start-up check of the API's database access. The role must apply RLS
 * (checkApiRole). The login must be able to do nothing but become it, so
 * that `RESET ROLE` or `SET ROLE <other>` inside a request's transaction
 * gains nothing: when API_DATABASE_URL names a login that can do more, the
 * API refuses to start; when API_DATABASE_URL is unset (DATABASE_URL's login,
 * usually the tables' owner), it starts and warns. When the database cannot
 * be asked, it warns with the reason (/readyz then reports Postgres).
 */
export async function checkApiDatabase(
  database: ApiDatabase,
  role: string,
  log: FastifyBaseLogger,
): Promise<void> {
  const unknown = ({ unknown: err }: Unknown) =>
    log.warn(
      { role, source: database.source, err },
      `could not check API_DB_ROLE and the API's login (${database.source}): ${errorMessage(err)}`,
    );
  const roleCheck = await checkApiRole(database.prisma, role);
  if (roleCheck !== 'ok') return unknown(roleCheck);
  const report = await inspectApiLogin(database.prisma, role);
  if ('unknown' in report) return unknown(report);
  if (report.problems.length === 0) {
    log.info({ login: report.login, role }, `API database login "${report.login}" can only become ${role}`);
    return;
  }
  const what = `login "${report.login}" ${report.problems.join('; ')}`;
  if (database.source === 'API_DATABASE_URL') {
    throw new ConfigError([
      `API_DATABASE_URL: ${what}. It must be a login that can do nothing but become "${role}" ` +
        `(sync_worker_authenticator, created by \`sync-worker migrate\`; see the README)`,
    ]);
  }
  log.warn(
    { login: report.login, role, problems: report.problems },
    `API_DATABASE_URL is unset: the API connects with DATABASE_URL, whose ${what}, so a request ` +
      `could leave ${role} (RESET ROLE). Set API_DATABASE_URL to the authenticator ` +
      `(sync_worker_authenticator, created by \`sync-worker migrate\`; see the README)`,
  );
}
