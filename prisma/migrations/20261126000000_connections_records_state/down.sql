DROP INDEX IF EXISTS sync_progress_one_live_per_connection_entity;
ALTER TABLE sync_progress DROP COLUMN IF EXISTS connection_id;
DROP TABLE IF EXISTS sync_state;
DROP TABLE IF EXISTS sync_record;
DROP TABLE IF EXISTS integration_connection;
