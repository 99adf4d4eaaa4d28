-- Revokes what migration api_role granted in this database. The role itself
-- is cluster-wide: it is dropped only when this migration created it (its
-- comment says so) and nothing in any database still depends on it.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sync_worker_api') THEN
    RETURN;
  END IF;

  REVOKE SELECT, INSERT, UPDATE, DELETE ON
      sync_preview_cache,
      sync_progress,
      sync_activity_log,
      integration_connection,
      sync_record,
      sync_state
    FROM sync_worker_api;
  IF to_regclass('auth.users_extended') IS NOT NULL THEN
    REVOKE SELECT ON auth.users_extended FROM sync_worker_api;
  END IF;
  IF to_regprocedure('auth.uid()') IS NOT NULL THEN
    REVOKE EXECUTE ON FUNCTION auth.uid() FROM sync_worker_api;
  END IF;
  IF to_regnamespace('auth') IS NOT NULL THEN
    REVOKE USAGE ON SCHEMA auth FROM sync_worker_api;
  END IF;
  REVOKE USAGE ON SCHEMA public FROM sync_worker_api;

  IF shobj_description((SELECT oid FROM pg_roles WHERE rolname = 'sync_worker_api'), 'pg_authid')
       IS DISTINCT FROM 'created by sync-worker api_role' THEN
    RETURN;
  END IF;
  BEGIN
    DROP ROLE IF EXISTS sync_worker_api;
  EXCEPTION WHEN dependent_objects_still_exist THEN
    -- Another database of the cluster still grants it something: keep it.
    RAISE NOTICE 'role sync_worker_api is still used by another database; kept';
  END;
END
$$;
