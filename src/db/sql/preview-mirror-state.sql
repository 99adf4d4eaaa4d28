-- What a preview's cache key depends on: the state of the mirror of one
-- (connection, entity) and its last ended sync. Any sync that writes, marks
-- deleted or simply ends changes at least one of these.
-- $1 connection id, $2 entity type
SELECT count(*) FILTER (WHERE r.deleted_at IS NULL)::int AS live_count,
       count(*)::int                                    AS row_count,
       max(r.last_synced_at)::text                      AS last_synced_at,
       max(r.deleted_at)::text                          AS last_deleted_at,
       (SELECT p.sync_id
          FROM sync_progress p
         WHERE p.connection_id = $1::uuid
           AND p.entity_type = $2::sync_entity_type
           AND p.completed_at IS NOT NULL
         ORDER BY p.completed_at DESC, p.id DESC
         LIMIT 1)                                       AS last_sync_id
  FROM sync_record r
 WHERE r.connection_id = $1::uuid
   AND r.entity_type = $2::sync_entity_type;
