-- One batch in one statement (so one transaction, with no BEGIN/COMMIT round
-- trips): upserts the records into the mirror (skipping unchanged ones),
-- advances the sync's progress row and inserts the batch's `batch_process`
-- log row, all or nothing.
--
-- Ownership guard: `owner` locks the progress row only while the sync is
-- `in_progress` at the batch number this worker last wrote. When it is not
-- (cancelled, timed out, taken over by another worker), every later part
-- reads an empty `owner`: no record, no progress, no log row is written and
-- the statement returns no row.
--
-- $1  the batch's records as one JSON array of
--     {"external_id", "data", "content_hash", "source_updated_at"} objects
-- $2  connection id, $3 entity type, $4 org id, $5 sync id
-- $6  progress row id, $7 the batch number this worker last wrote
-- $8  processed_count, $9 failed_count, $10 total_items (after this batch)
-- $11 metadata after this batch, its delta not yet counting $1's records
-- $12 records examined by this batch (duplicates included): the delta's
--     unchanged count grows by $12 − created − updated
-- $13 the log row's record_count, $14 the user who started the sync (or null)
WITH owner AS (
    SELECT id
      FROM sync_progress
     WHERE id = $6::uuid
       AND status = 'in_progress'
       AND batch_number = $7::int
       FOR UPDATE
),
input AS (
    SELECT t.*
      FROM owner,
           jsonb_to_recordset($1::jsonb)
           AS t(external_id text, data jsonb, content_hash text, source_updated_at timestamptz)
),
upserted AS (
    INSERT INTO sync_record AS r
           (org_id, connection_id, entity_type, external_id, data, content_hash,
            source_updated_at, last_sync_id)
    SELECT $4::uuid, $2::uuid, $3::sync_entity_type, i.external_id, i.data, i.content_hash,
           i.source_updated_at, $5
      FROM input i
    ON CONFLICT (connection_id, entity_type, external_id) DO UPDATE
       SET data              = EXCLUDED.data,
           content_hash      = EXCLUDED.content_hash,
           source_updated_at = EXCLUDED.source_updated_at,
           last_synced_at    = now(),
           last_sync_id      = EXCLUDED.last_sync_id,
           deleted_at        = NULL
     WHERE r.content_hash <> EXCLUDED.content_hash
        OR r.deleted_at IS NOT NULL
    RETURNING (xmax = 0) AS inserted
),
written AS (
    SELECT count(*) FILTER (WHERE inserted)::int     AS created,
           count(*) FILTER (WHERE NOT inserted)::int AS updated
      FROM upserted
),
progress AS (
    -- The seed's triggers compute elapsed, speed and ETA, move updated_at and
    -- complete the sync when processed + failed reaches total_items.
    UPDATE sync_progress p
       SET processed_count = $8::int,
           failed_count    = $9::int,
           total_items     = $10::int,
           current_item    = $8::int + $9::int,
           batch_number    = $7::int + 1,
           metadata        = jsonb_set($11::jsonb, '{delta}', jsonb_build_object(
               'created',   ($11::jsonb #>> '{delta,created}')::int + w.created,
               'updated',   ($11::jsonb #>> '{delta,updated}')::int + w.updated,
               'unchanged', ($11::jsonb #>> '{delta,unchanged}')::int + $12::int - w.created - w.updated,
               'deleted',   ($11::jsonb #>> '{delta,deleted}')::int))
      FROM owner, written w
     WHERE p.id = owner.id
 RETURNING p.org_id, p.sync_id, p.entity_type, p.eta_seconds, p.speed_items_per_min, w.created, w.updated
),
logged AS (
    INSERT INTO sync_activity_log (org_id, sync_id, entity_type, action, status, record_count, user_id)
    SELECT org_id, sync_id, entity_type, 'batch_process', 'in_progress', $13::int, $14::uuid
      FROM progress
)
SELECT created, updated, eta_seconds, speed_items_per_min::float8 AS speed_items_per_min
  FROM progress;
