-- Restores the policies of 0024 and connections_records_state exactly as they
-- were written, and the API role's SELECT on auth.users_extended that
-- migration api_role granted; drops the org function.

ALTER POLICY preview_cache_select ON sync_preview_cache
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_preview_cache.org_id));
ALTER POLICY preview_cache_insert ON sync_preview_cache
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_preview_cache.org_id));
ALTER POLICY preview_cache_update ON sync_preview_cache
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_preview_cache.org_id))
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_preview_cache.org_id));
ALTER POLICY preview_cache_delete ON sync_preview_cache
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_preview_cache.org_id));

ALTER POLICY sync_progress_select ON sync_progress
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_progress.org_id));
ALTER POLICY sync_progress_insert ON sync_progress
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_progress.org_id));
ALTER POLICY sync_progress_update ON sync_progress
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_progress.org_id))
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_progress.org_id));
ALTER POLICY sync_progress_delete ON sync_progress
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_progress.org_id));

ALTER POLICY sync_activity_log_select ON sync_activity_log
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_activity_log.org_id));
ALTER POLICY sync_activity_log_insert ON sync_activity_log
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_activity_log.org_id));
ALTER POLICY sync_activity_log_update ON sync_activity_log
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_activity_log.org_id))
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_activity_log.org_id));
ALTER POLICY sync_activity_log_delete ON sync_activity_log
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_activity_log.org_id));

ALTER POLICY integration_connection_select ON integration_connection
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = integration_connection.org_id));
ALTER POLICY integration_connection_insert ON integration_connection
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = integration_connection.org_id));
ALTER POLICY integration_connection_update ON integration_connection
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = integration_connection.org_id))
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = integration_connection.org_id));
ALTER POLICY integration_connection_delete ON integration_connection
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = integration_connection.org_id));

ALTER POLICY sync_record_select ON sync_record
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_record.org_id));
ALTER POLICY sync_record_insert ON sync_record
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_record.org_id));
ALTER POLICY sync_record_update ON sync_record
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_record.org_id))
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_record.org_id));
ALTER POLICY sync_record_delete ON sync_record
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_record.org_id));

ALTER POLICY sync_state_select ON sync_state
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_state.org_id));
ALTER POLICY sync_state_insert ON sync_state
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_state.org_id));
ALTER POLICY sync_state_update ON sync_state
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_state.org_id))
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_state.org_id));
ALTER POLICY sync_state_delete ON sync_state
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_state.org_id));
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sync_worker_api') THEN
        GRANT SELECT ON auth.users_extended TO sync_worker_api;
    END IF;
END
$$;

DROP FUNCTION public.sync_current_org_id();
