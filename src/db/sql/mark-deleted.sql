-- Marks the given mirror rows (ids no longer in the source) as deleted.
-- $1 connection id, $2 entity type, $3 vanished external ids, $4 sync id
UPDATE sync_record
   SET deleted_at = now(),
       last_sync_id = $4
 WHERE connection_id = $1::uuid
   AND entity_type = $2::sync_entity_type
   AND external_id = ANY ($3::text[])
   AND deleted_at IS NULL;
