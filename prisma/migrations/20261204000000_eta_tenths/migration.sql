-- eta_seconds in tenths of a second (issue 7).
--
-- 0024 made eta_seconds an INTEGER. A sync of 8,000 customers from a store
-- answering in 250 ms lasts about six seconds: at 75 % about 1.3 s remain, and
-- the nearest whole number (1 s) is 25 % off however right the speed is. The
-- column becomes double precision, rounded to 0.1 s by the trigger: the same
-- meaning (estimated seconds remaining), still a plain number for every client
-- (node-postgres and Prisma read it as a JavaScript number, as before). The
-- trigger is _eta_window's, with only the ETA's rounding changed.

ALTER TABLE sync_progress ALTER COLUMN eta_seconds TYPE double precision;

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
            NEW.eta_seconds := round((remaining / per_min) * 60, 1)::double precision;
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
