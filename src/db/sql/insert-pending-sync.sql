-- Registers a requested sync as `pending`, unless a live one already exists
-- for the same (connection, entity): then nothing is inserted and the caller
-- returns the live one. The partial unique index makes this race-free.
-- $1 org, $2 sync id, $3 entity type, $4 source system, $5 initiated by,
-- $6 metadata, $7 connection id
INSERT INTO sync_progress
       (org_id, sync_id, job_id, entity_type, source_system, initiated_by, metadata,
        connection_id, status)
VALUES ($1::uuid, $2, $2, $3::sync_entity_type, $4, $5::uuid, $6::jsonb, $7::uuid, 'pending')
ON CONFLICT (connection_id, entity_type)
   WHERE status IN ('pending', 'in_progress', 'paused') AND connection_id IS NOT NULL
   DO NOTHING
RETURNING sync_id;
