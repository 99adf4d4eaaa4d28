-- The progress-cost bench's baseline (bench/progress-cost.ts): one batch of
-- canonical records upserted into the mirror and nothing else, exactly as the
-- `input` and `upserted` parts of src/db/sql/commit-batch.sql write them (keep
-- the two alike, or the share it measures means nothing), skipping rows whose
-- content hash did not change, and what it did.
-- $1 the batch as one JSON array of
--    {"external_id", "data", "content_hash", "source_updated_at"} objects
--    (one parameter: Postgres parses it in C, no per-element escaping),
-- $2 connection id, $3 entity type, $4 org id, $5 sync id
WITH input AS (
    SELECT *
      FROM jsonb_to_recordset($1::jsonb)
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
)
SELECT count(*) FILTER (WHERE inserted)::int     AS created,
       count(*) FILTER (WHERE NOT inserted)::int AS updated
  FROM upserted;
