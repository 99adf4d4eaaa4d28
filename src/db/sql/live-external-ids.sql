-- External ids of the live (not deleted) mirror rows of one (connection, entity).
-- $1 connection id, $2 entity type
SELECT external_id
  FROM sync_record
 WHERE connection_id = $1::uuid
   AND entity_type = $2::sync_entity_type
   AND deleted_at IS NULL;
