-- ETA from a moving window (issue 7).
--
-- 0024 computes speed and ETA from the average since started_at. That average
-- carries the sync's start (counting the source, the first page before the
-- prefetch fills) and every change of pace since: on a steady source it
-- underestimated the speed early, and on one that slows down it keeps the
-- old pace. Here the trigger keeps a small window of (time, items done)
-- samples on the row and takes the speed over it:
--
--   * a sample is taken at every update that advances processed + failed,
--     at now() (the batch transaction's time); the first one is the first
--     batch, so the start is never in the window;
--   * the window spans the last max(1 s, elapsed / 2) seconds, at most 120 s
--     (one sample at or past its edge is kept, so the span covers it);
--     samples closer than a twentieth of it are merged (the newer one kept),
--     so the row holds about twenty at most whatever the batch rate;
--   * speed = (done now − done at the window's oldest sample) / (now − its
--     time): an update that does not advance (a phase, a heartbeat) lowers
--     the speed as time passes with nothing done;
--   * until the window spans 1 s (two samples at least), the 0024 figure
--     (processed_count / elapsed) stands: the seed's worked example is
--     unchanged.
--
-- ETA = (total − processed − failed) / speed. Speed and ETA stay NULL until
-- processed_count > 0 and elapsed > 0, as in 0024.

ALTER TABLE sync_progress ADD COLUMN progress_samples jsonb NOT NULL DEFAULT '[]'::jsonb;

CREATE OR REPLACE FUNCTION update_sync_progress_elapsed()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    at_now    numeric := EXTRACT(EPOCH FROM now());
    elapsed   numeric;
    remaining integer;
    done      integer := NEW.processed_count + NEW.failed_count;
    advanced  boolean;
    samples   jsonb := COALESCE(NEW.progress_samples, '[]'::jsonb);
    n         integer;
    horizon   numeric;
    first_at  numeric;
    first_done integer;
    per_min   numeric;
BEGIN
    elapsed := EXTRACT(EPOCH FROM (COALESCE(NEW.completed_at, now()) - NEW.started_at));
    NEW.elapsed_seconds := GREATEST(round(elapsed), 0)::integer;
    horizon := LEAST(120, GREATEST(1, elapsed / 2));

    IF TG_OP = 'INSERT' THEN
        advanced := done > 0;
    ELSE
        advanced := done > OLD.processed_count + OLD.failed_count;
    END IF;
    n := jsonb_array_length(samples);
    IF n > 0 AND (samples -> (n - 1) ->> 1)::integer > done THEN
        samples := '[]'::jsonb; -- the counts went back: a new run of the row
        n := 0;
    END IF;
    IF advanced THEN
        IF n >= 2 AND at_now - (samples -> (n - 2) ->> 0)::numeric < horizon / 20 THEN
            samples := jsonb_set(samples, ARRAY[(n - 1)::text], jsonb_build_array(at_now, done));
        ELSE
            samples := samples || jsonb_build_array(jsonb_build_array(at_now, done));
        END IF;
    END IF;
    -- Out of the window: all but one sample at or past its edge, and that one too when it is
    -- more than two windows old (a sync resumed after a long stop starts its window afresh).
    WHILE jsonb_array_length(samples) > 1
          AND ((samples -> 1 ->> 0)::numeric <= at_now - horizon
               OR (samples -> 0 ->> 0)::numeric < at_now - 2 * horizon) LOOP
        samples := samples - 0;
    END LOOP;
    WHILE jsonb_array_length(samples) > 32 LOOP
        samples := samples - 0;
    END LOOP;
    NEW.progress_samples := samples;

    IF NEW.processed_count > 0 AND elapsed > 0 THEN
        first_at := (samples -> 0 ->> 0)::numeric;
        first_done := (samples -> 0 ->> 1)::integer;
        IF jsonb_array_length(samples) >= 2 AND at_now - first_at >= 1 THEN
            per_min := ((done - first_done) / (at_now - first_at)) * 60;
        ELSE
            per_min := (NEW.processed_count / elapsed) * 60;
        END IF;
        NEW.speed_items_per_min := round(per_min, 2);
        remaining := GREATEST(NEW.total_items - NEW.processed_count - NEW.failed_count, 0);
        IF per_min > 0 THEN
            NEW.eta_seconds := round((remaining / per_min) * 60)::integer;
        ELSE
            NEW.eta_seconds := NULL;
        END IF;
    ELSE
        NEW.speed_items_per_min := NULL;
        NEW.eta_seconds := NULL;
    END IF;
    RETURN NEW;
END;
$$;
