-- Stores a computed preview under its cache key for one hour; a recomputation
-- under the same key refreshes the row (and its TTL).
-- $1 org id, $2 sync type, $3 sync id (the preview job id), $4 delta json,
-- $5 computed by (user uuid or null), $6 cache key
INSERT INTO sync_preview_cache AS c (org_id, sync_type, sync_id, delta_json, computed_by, cache_key)
VALUES ($1::uuid, $2::sync_type, $3, $4::jsonb, $5::uuid, $6)
ON CONFLICT (cache_key) DO UPDATE
   SET org_id      = EXCLUDED.org_id,
       sync_type   = EXCLUDED.sync_type,
       sync_id     = EXCLUDED.sync_id,
       delta_json  = EXCLUDED.delta_json,
       computed_by = EXCLUDED.computed_by,
       computed_at = now(),
       expires_at  = now() + interval '1 hour',
       updated_at  = now()
RETURNING cache_key, computed_at, expires_at;
