-- Back to 0024's speed and ETA (the average since started_at).

CREATE OR REPLACE FUNCTION update_sync_progress_elapsed()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    elapsed numeric;
    remaining integer;
BEGIN
    elapsed := EXTRACT(EPOCH FROM (COALESCE(NEW.completed_at, now()) - NEW.started_at));
    NEW.elapsed_seconds := GREATEST(round(elapsed), 0)::integer;

    IF NEW.processed_count > 0 AND elapsed > 0 THEN
        NEW.speed_items_per_min := round((NEW.processed_count / elapsed) * 60, 2);
        remaining := GREATEST(NEW.total_items - NEW.processed_count - NEW.failed_count, 0);
        NEW.eta_seconds := round((remaining / ((NEW.processed_count / elapsed) * 60)) * 60)::integer;
    ELSE
        NEW.speed_items_per_min := NULL;
        NEW.eta_seconds := NULL;
    END IF;
    RETURN NEW;
END;
$$;

ALTER TABLE sync_progress DROP COLUMN progress_samples;
