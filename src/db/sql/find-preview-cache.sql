-- A cached preview by key, unless expired (rows live one hour; the cleanup
-- job removes them later). Under the API's RLS role only the user's org's rows.
-- $1 cache key
SELECT cache_key,
       org_id::text       AS org_id,
       sync_type::text    AS sync_type,
       sync_id,
       delta_json,
       computed_by::text  AS computed_by,
       computed_at,
       expires_at
  FROM sync_preview_cache
 WHERE cache_key = $1
   AND expires_at > now();
