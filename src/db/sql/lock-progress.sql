-- Locks a sync's progress row for the batch transaction (cancel, sweeper and
-- other workers wait) and reads what the batch builds on.
SELECT status::text AS status, batch_number, processed_count, failed_count, total_items, metadata
  FROM sync_progress
 WHERE id = $1::uuid
   FOR UPDATE;
