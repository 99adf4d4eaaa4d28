-- The database role the HTTP API runs its queries as. The application's own
-- database user may own the tables or be a superuser, and both bypass
-- row-level security; so each API request runs in one transaction that starts
-- with `set_config('role', 'sync_worker_api', true)` (SET LOCAL ROLE) and
-- `set_config('request.jwt.claim.sub', <user>, true)`, and the RLS policies of
-- 0024 and connections_records_state then apply. Transaction-scoped, so it
-- works behind PgBouncer in transaction mode.
--
-- Roles are cluster-wide: another database of the same cluster (or a
-- concurrent migration of one) may have created it already. Creation is
-- therefore conditional and tolerates losing a race. A role created here is
-- marked by its comment, so down.sql drops only its own.
-- API_DB_ROLE may name another role; grant it the same privileges by hand.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sync_worker_api') THEN
    BEGIN
      CREATE ROLE sync_worker_api NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
      COMMENT ON ROLE sync_worker_api IS 'created by sync-worker api_role';
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      -- Created concurrently by another database's migration: use it.
      NULL;
    END;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO sync_worker_api;
GRANT USAGE ON SCHEMA auth TO sync_worker_api;

GRANT SELECT, INSERT, UPDATE, DELETE ON
    sync_preview_cache,
    sync_progress,
    sync_activity_log,
    integration_connection,
    sync_record,
    sync_state
  TO sync_worker_api;

-- The policies look the user's org up here, with the invoker's privileges.
GRANT SELECT ON auth.users_extended TO sync_worker_api;
GRANT EXECUTE ON FUNCTION auth.uid() TO sync_worker_api;

-- The migrating user (normally the application's user) may SET ROLE to it.
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'sync_worker_api', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT sync_worker_api TO %I', current_user);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
END
$$;
