-- The stored data of mirror rows a preview reports as deleted (a capped sample).
-- $1 connection id, $2 entity type, $3 external ids
SELECT external_id, data
  FROM sync_record
 WHERE connection_id = $1::uuid
   AND entity_type = $2::sync_entity_type
   AND external_id = ANY($3::text[]);
