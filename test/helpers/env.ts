/** Services the tests talk to (the real ones; never mocks). */
export const ADMIN_DATABASE_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrlFor(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The API's login role, created by migration api_authenticator (LOGIN NOINHERIT, member of sync_worker_api). */
export const AUTHENTICATOR = 'sync_worker_authenticator';

/** `url` logged in as the authenticator instead (trust authentication on the test cluster: no password). */
export function authenticatorUrlFor(url: string): string {
  const u = new URL(url);
  u.username = AUTHENTICATOR;
  u.password = '';
  return u.toString();
}
