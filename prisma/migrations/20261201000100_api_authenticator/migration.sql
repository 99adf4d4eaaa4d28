-- The API's login: an authenticator that can do nothing but become the API
-- role (PostgREST's pattern). Until now the API connected as the application's
-- user (usually the tables' owner) and ran `SET LOCAL ROLE sync_worker_api` in
-- each request; `RESET ROLE` inside that transaction went back to the owner.
-- sync_worker_authenticator is LOGIN NOINHERIT with no privileges of its own
-- and member of sync_worker_api only: outside `SET ROLE sync_worker_api` it
-- can read no table, and it can SET ROLE to nothing else. The API connects
-- with it through API_DATABASE_URL; its start-up check refuses a login that
-- can do more.
--
-- Roles are cluster-wide, and creating one needs CREATEROLE: where the
-- migrating user may not, this migration only warns, and the DBA runs (README):
--   CREATE ROLE sync_worker_authenticator LOGIN NOINHERIT PASSWORD '…';
--   GRANT sync_worker_api TO sync_worker_authenticator;
-- The role is created without a password: it cannot log in with password
-- authentication until one is set (ALTER ROLE … PASSWORD).

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sync_worker_authenticator') THEN
    IF NOT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
      RAISE WARNING 'sync_worker_authenticator not created: % may not create roles. '
        'Ask the DBA for: CREATE ROLE sync_worker_authenticator LOGIN NOINHERIT PASSWORD ''…''; '
        'GRANT sync_worker_api TO sync_worker_authenticator;', current_user;
      RETURN;
    END IF;
    BEGIN
      CREATE ROLE sync_worker_authenticator
        LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION;
      COMMENT ON ROLE sync_worker_authenticator IS 'created by sync-worker api_authenticator';
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      -- Created concurrently by another database's migration: use it.
      NULL;
    END;
  END IF;

  IF NOT pg_has_role('sync_worker_authenticator', 'sync_worker_api', 'MEMBER') THEN
    BEGIN
      GRANT sync_worker_api TO sync_worker_authenticator;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN
        NULL;
      WHEN insufficient_privilege THEN
        RAISE WARNING 'could not grant sync_worker_api to sync_worker_authenticator (%). '
          'Ask the DBA for: GRANT sync_worker_api TO sync_worker_authenticator;', SQLERRM;
    END;
  END IF;
END
$$;

-- The API's queries carry no org_id predicate: the policies' org is a
-- parameter the planner cannot see, so it estimates every org at the average
-- size. With the default random_page_cost (4, spinning disks) it then reads a
-- big tenant's month of log with a bitmap scan and a sort of every row, where
-- the ordered (org_id, created_at) index scan stops at the LIMIT (≈ 3-4× less
-- server time on 10,000 rows, bench queries suite). 1.1 is the usual value for
-- SSDs and cached data; set for the API's login in this database only.
-- `ALTER ROLE sync_worker_authenticator IN DATABASE … RESET random_page_cost`
-- undoes it.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sync_worker_authenticator') THEN
    EXECUTE format('ALTER ROLE sync_worker_authenticator IN DATABASE %I SET random_page_cost = 1.1',
                   current_database());
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'could not set random_page_cost for sync_worker_authenticator (%)', SQLERRM;
END
$$;

-- /metrics reports syncs per status across every org. The API's role sees no
-- row without a user, and the authenticator sees nothing at all: this narrow
-- SECURITY DEFINER function gives the API role counts, never rows.
CREATE FUNCTION public.sync_status_counts()
    RETURNS TABLE (status sync_status_type, syncs bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT p.status, count(*) FROM public.sync_progress p GROUP BY p.status $$;

COMMENT ON FUNCTION public.sync_status_counts() IS
    'sync-worker: syncs per status across every org, for /metrics (counts only)';

-- EXECUTE for sync_worker_api only (not PUBLIC, not the roles a platform's
-- default privileges grant every new function to).
REVOKE ALL ON FUNCTION public.sync_status_counts() FROM PUBLIC;
DO $$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT a.grantee::regrole::text
          FROM pg_proc p, aclexplode(p.proacl) a
         WHERE p.oid = 'public.sync_status_counts()'::regprocedure
           AND a.grantee NOT IN (0, p.proowner)
    LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION public.sync_status_counts() FROM %s', grantee);
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION public.sync_status_counts() TO sync_worker_api;
