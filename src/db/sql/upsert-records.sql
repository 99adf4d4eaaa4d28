-- Upserts one batch of canonical records into the mirror in one statement,
-- skipping rows whose content hash did not change, and reports what it did.
-- $1 external ids, $2 data, $3 content hashes, $4 source updated-at (arrays, same order)
-- $5 connection id, $6 entity type, $7 org id, $8 sync id
WITH input AS (
    SELECT *
      FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::timestamptz[])
           AS t(external_id, data, content_hash, source_updated_at)
),
upserted AS (
    INSERT INTO sync_record AS r
           (org_id, connection_id, entity_type, external_id, data, content_hash,
            source_updated_at, last_sync_id)
    SELECT $7::uuid, $5::uuid, $6::sync_entity_type, i.external_id, i.data, i.content_hash,
           i.source_updated_at, $8
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
