-- Drops the /metrics function and the API login's planner setting in this
-- database. The login role sync_worker_authenticator is
-- cluster-wide and holds nothing in this database; it may be the API login of
-- other databases of the same cluster, so it is kept (a DBA removes it with
-- DROP ROLE sync_worker_authenticator once no database uses it).

DROP FUNCTION public.sync_status_counts();

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sync_worker_authenticator') THEN
    EXECUTE format('ALTER ROLE sync_worker_authenticator IN DATABASE %I RESET random_page_cost',
                   current_database());
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'could not reset random_page_cost for sync_worker_authenticator (%)', SQLERRM;
END
$$;
