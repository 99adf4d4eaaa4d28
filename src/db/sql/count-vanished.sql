-- How many live mirror rows a deletion scan would mark, and how many are live.
-- $1 connection id, $2 entity type, $3 every external id the source has now
WITH source_ids AS (
    SELECT unnest($3::text[]) AS external_id
)
SELECT count(*) FILTER (
           WHERE NOT EXISTS (SELECT 1 FROM source_ids s WHERE s.external_id = r.external_id)
       )::int AS vanished,
       count(*)::int AS live
  FROM sync_record r
 WHERE r.connection_id = $1::uuid
   AND r.entity_type = $2::sync_entity_type
   AND r.deleted_at IS NULL;
