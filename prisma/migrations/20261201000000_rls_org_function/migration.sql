-- Row-level security that the planner can index (issue 7's decision).
--
-- 0024's policies compare each row with a correlated
--   EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = t.org_id)
-- which the planner evaluates per row: no (org_id, …) index applies and a
-- query through RLS alone scans the table. Here the twelve policies of 0024
-- and the twelve of connections_records_state keep their names, commands and
-- meaning, but compare org_id with the caller's org computed once per
-- statement:
--   org_id = (SELECT public.sync_current_org_id())
-- The sub-select is an InitPlan: evaluated once, then a parameter the
-- (org_id, …) indexes take as an index condition. A user without a row in
-- auth.users_extended (or a request without a claim) gets NULL, and
-- org_id = NULL is never true: they read nothing and write nothing, as before.
--
-- The function is SECURITY DEFINER, so the API role no longer needs SELECT on
-- auth.users_extended (through which it could read every user's id and org):
-- the grant of migration api_role is revoked. The function lives in schema
-- public, not auth, because managed platforms (Supabase) forbid creating
-- functions in their auth schema.

-- The org of the request's user (auth.uid(), the JWT `sub`), or NULL.
--   * SECURITY DEFINER, owned by the migrating user (the tables' owner, who can
--     read auth.users_extended anyway); it reads exactly one row, the
--     caller's own, and runs no dynamic SQL.
--   * search_path fixed to pg_catalog and pg_temp, names fully qualified: a
--     caller's objects cannot stand in for auth.users_extended or auth.uid().
--   * STABLE: one value per statement; PARALLEL RESTRICTED: evaluated by the
--     leader (as an InitPlan), whose parameter parallel workers receive.
--   * EXECUTE only for the roles whose queries the policies filter (below).
CREATE FUNCTION public.sync_current_org_id() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT u.org_id FROM auth.users_extended u WHERE u.id = auth.uid() $$;

COMMENT ON FUNCTION public.sync_current_org_id() IS
    'sync-worker: the org of auth.uid() in auth.users_extended (NULL when none); used by the RLS policies';

-- Nobody but sync_worker_api may call it: not PUBLIC, and not the roles a
-- platform's default privileges grant every new function to (Supabase grants
-- anon and authenticated EXECUTE on every function of schema public).
REVOKE ALL ON FUNCTION public.sync_current_org_id() FROM PUBLIC;
DO $$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT a.grantee::regrole::text
          FROM pg_proc p, aclexplode(p.proacl) a
         WHERE p.oid = 'public.sync_current_org_id()'::regprocedure
           AND a.grantee NOT IN (0, p.proowner)
    LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION public.sync_current_org_id() FROM %s', grantee);
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION public.sync_current_org_id() TO sync_worker_api;

-- The API role reads no user's row any more (not even its own: the function
-- does that for it). Only the grant api_role made is revoked; a platform's
-- own grants on a pre-existing auth.users_extended are left alone.
REVOKE SELECT ON auth.users_extended FROM sync_worker_api;

ALTER POLICY preview_cache_select ON sync_preview_cache
    USING (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY preview_cache_insert ON sync_preview_cache
    WITH CHECK (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY preview_cache_update ON sync_preview_cache
    USING (org_id = (SELECT public.sync_current_org_id()))
    WITH CHECK (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY preview_cache_delete ON sync_preview_cache
    USING (org_id = (SELECT public.sync_current_org_id()));

ALTER POLICY sync_progress_select ON sync_progress
    USING (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY sync_progress_insert ON sync_progress
    WITH CHECK (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY sync_progress_update ON sync_progress
    USING (org_id = (SELECT public.sync_current_org_id()))
    WITH CHECK (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY sync_progress_delete ON sync_progress
    USING (org_id = (SELECT public.sync_current_org_id()));

ALTER POLICY sync_activity_log_select ON sync_activity_log
    USING (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY sync_activity_log_insert ON sync_activity_log
    WITH CHECK (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY sync_activity_log_update ON sync_activity_log
    USING (org_id = (SELECT public.sync_current_org_id()))
    WITH CHECK (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY sync_activity_log_delete ON sync_activity_log
    USING (org_id = (SELECT public.sync_current_org_id()));

ALTER POLICY integration_connection_select ON integration_connection
    USING (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY integration_connection_insert ON integration_connection
    WITH CHECK (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY integration_connection_update ON integration_connection
    USING (org_id = (SELECT public.sync_current_org_id()))
    WITH CHECK (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY integration_connection_delete ON integration_connection
    USING (org_id = (SELECT public.sync_current_org_id()));

ALTER POLICY sync_record_select ON sync_record
    USING (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY sync_record_insert ON sync_record
    WITH CHECK (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY sync_record_update ON sync_record
    USING (org_id = (SELECT public.sync_current_org_id()))
    WITH CHECK (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY sync_record_delete ON sync_record
    USING (org_id = (SELECT public.sync_current_org_id()));

ALTER POLICY sync_state_select ON sync_state
    USING (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY sync_state_insert ON sync_state
    WITH CHECK (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY sync_state_update ON sync_state
    USING (org_id = (SELECT public.sync_current_org_id()))
    WITH CHECK (org_id = (SELECT public.sync_current_org_id()));
ALTER POLICY sync_state_delete ON sync_state
    USING (org_id = (SELECT public.sync_current_org_id()));
