-- Drops the /metrics function. The login role sync_worker_authenticator is
-- cluster-wide and holds nothing in this database; it may be the API login of
-- other databases of the same cluster, so it is kept (a DBA removes it with
-- DROP ROLE sync_worker_authenticator once no database uses it).

DROP FUNCTION public.sync_status_counts();
