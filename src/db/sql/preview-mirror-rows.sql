-- The mirror rows of one page of a preview, compared with the source's hashes.
-- `data` comes back only where the preview needs it (changed or soft-deleted
-- rows); unchanged rows cost an index lookup and a hash.
-- $1 connection id, $2 entity type, $3 external ids, $4 their content hashes (same order)
SELECT r.external_id,
       r.content_hash,
       r.deleted_at IS NOT NULL AS deleted,
       CASE WHEN r.content_hash <> i.content_hash OR r.deleted_at IS NOT NULL THEN r.data END AS data
  FROM unnest($3::text[], $4::text[]) AS i(external_id, content_hash)
  JOIN sync_record r
    ON r.connection_id = $1::uuid
   AND r.entity_type = $2::sync_entity_type
   AND r.external_id = i.external_id;
