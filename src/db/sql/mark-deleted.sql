-- Marks mirror rows whose external id is no longer in the source as deleted.
-- $1 connection id, $2 entity type, $3 every external id the source has now, $4 sync id
WITH source_ids AS (
    SELECT unnest($3::text[]) AS external_id
)
UPDATE sync_record r
   SET deleted_at = now(),
       last_sync_id = $4
 WHERE r.connection_id = $1::uuid
   AND r.entity_type = $2::sync_entity_type
   AND r.deleted_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM source_ids s WHERE s.external_id = r.external_id);
