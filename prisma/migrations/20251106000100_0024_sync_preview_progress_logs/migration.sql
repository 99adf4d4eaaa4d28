-- Migration 0024: sync preview cache, sync progress and sync activity log.
--
-- Faithful to the 0024 design (tables, enums, indexes, triggers, RLS,
-- cleanup function) with the fixes of DESIGN.md §Database 2:
--   * monthly log partitions created ahead by ensure_sync_activity_log_partitions()
--     plus a DEFAULT partition, and drop_old_sync_activity_log_partitions()
--     for retention (the design's fixed partitions ended in 2026-03);
--   * expired cache rows rejected by a trigger (now() cannot live in a CHECK)
--     and CHECK (expires_at > computed_at);
--   * speed and ETA NULL until processed_count > 0 and elapsed > 0;
--   * completion only on UPDATE, completed_at set once, exactly one
--     sync_complete log row per sync;
--   * sync_progress.status, set to completed / completed_with_errors by the
--     completion trigger and used by the worker for cancel, pause, timeout
--     and failure.

-- ---------------------------------------------------------------------------
-- Enums (labels and order exactly as designed)
-- ---------------------------------------------------------------------------

CREATE TYPE sync_type AS ENUM ('woocommerce', 'odoo', 'shopify', 'custom');

CREATE TYPE sync_action AS ENUM (
    'preview_delta',
    'sync_start',
    'sync_complete',
    'batch_process',
    'error_recovery',
    'manual_trigger',
    'scheduled_run',
    'partial_resume'
);

CREATE TYPE sync_entity_type AS ENUM (
    'customer',
    'product',
    'order',
    'invoice',
    'supplier',
    'inventory',
    'category',
    'attribute'
);

CREATE TYPE sync_status_type AS ENUM (
    'pending',
    'in_progress',
    'completed',
    'completed_with_errors',
    'failed',
    'cancelled',
    'paused',
    'timeout'
);

-- ---------------------------------------------------------------------------
-- sync_preview_cache
-- ---------------------------------------------------------------------------

CREATE TABLE sync_preview_cache (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL,
    sync_type    sync_type,
    sync_id      varchar(255),

    delta_json   jsonb,
    computed_at  timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL DEFAULT (now() + interval '1 hour'),

    computed_by  uuid,
    cache_key    varchar(255) UNIQUE,

    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT sync_preview_cache_expires_after_computed CHECK (expires_at > computed_at)
);

CREATE INDEX idx_sync_preview_cache_org_type ON sync_preview_cache (org_id, sync_type);
CREATE INDEX idx_sync_preview_cache_expires_at ON sync_preview_cache (expires_at);
CREATE INDEX idx_sync_preview_cache_computed_at ON sync_preview_cache (computed_at DESC);
-- (cache_key): served by the index of the UNIQUE constraint above.

-- ---------------------------------------------------------------------------
-- sync_progress
-- ---------------------------------------------------------------------------

CREATE TABLE sync_progress (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id               uuid NOT NULL,

    sync_id              varchar(255) NOT NULL,
    job_id               varchar(255),

    entity_type          sync_entity_type,

    current_item         integer NOT NULL DEFAULT 0,
    total_items          integer NOT NULL DEFAULT 0,
    processed_count      integer NOT NULL DEFAULT 0,
    failed_count         integer NOT NULL DEFAULT 0,

    speed_items_per_min  numeric,
    eta_seconds          integer,
    elapsed_seconds      integer,

    started_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    completed_at         timestamptz,

    source_system        varchar(50),
    batch_number         integer NOT NULL DEFAULT 0,
    metadata             jsonb NOT NULL DEFAULT '{}'::jsonb,
    initiated_by         uuid,

    status               sync_status_type NOT NULL DEFAULT 'in_progress',

    CONSTRAINT sync_progress_org_sync_key UNIQUE (org_id, sync_id),
    CONSTRAINT sync_progress_counts_within_total CHECK (processed_count + failed_count <= total_items),
    CONSTRAINT sync_progress_counts_not_negative
        CHECK (current_item >= 0 AND total_items >= 0 AND processed_count >= 0 AND failed_count >= 0)
);

CREATE INDEX idx_sync_progress_org_job ON sync_progress (org_id, job_id);
-- (org_id, sync_id): served by the index of sync_progress_org_sync_key.
CREATE INDEX idx_sync_progress_active ON sync_progress (org_id, updated_at DESC)
    WHERE completed_at IS NULL;
CREATE INDEX idx_sync_progress_org_entity_started ON sync_progress (org_id, entity_type, started_at DESC);

-- ---------------------------------------------------------------------------
-- sync_activity_log (partitioned by month on created_at)
-- ---------------------------------------------------------------------------

CREATE TABLE sync_activity_log (
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id            uuid NOT NULL,

    sync_id           varchar(255),
    entity_type       sync_entity_type,
    action            sync_action,
    status            sync_status_type,

    record_count      integer,
    duration_seconds  numeric,
    error_message     text,
    user_id           uuid,

    created_at        timestamptz NOT NULL DEFAULT now(),

    PRIMARY KEY (id, created_at),
    CONSTRAINT sync_activity_log_record_count_check CHECK (record_count >= 0),
    CONSTRAINT sync_activity_log_duration_check CHECK (duration_seconds IS NULL OR duration_seconds >= 0)
) PARTITION BY RANGE (created_at);

CREATE INDEX idx_sync_activity_log_org_created ON sync_activity_log (org_id, created_at DESC);
CREATE INDEX idx_sync_activity_log_user_created ON sync_activity_log (user_id, created_at DESC);
CREATE INDEX idx_sync_activity_log_org_entity_created ON sync_activity_log (org_id, entity_type, created_at DESC);
CREATE INDEX idx_sync_activity_log_action_created ON sync_activity_log (action, created_at DESC);
CREATE INDEX idx_sync_activity_log_status_created ON sync_activity_log (status, created_at DESC);
CREATE INDEX idx_sync_activity_log_sync_created ON sync_activity_log (sync_id, created_at DESC);

-- The safety net: a row whose month has no partition yet lands here and is
-- moved when ensure_sync_activity_log_partitions() creates that month.
CREATE TABLE sync_activity_log_default PARTITION OF sync_activity_log DEFAULT;
ALTER TABLE sync_activity_log_default ENABLE ROW LEVEL SECURITY;

-- Creates sync_activity_log_YYYY_MM for the current month and `months_ahead`
-- months after it (idempotent). Rows of a new month that sit in the DEFAULT
-- partition are moved into it. Returns one row per partition created.
CREATE FUNCTION ensure_sync_activity_log_partitions(months_ahead integer DEFAULT 3)
RETURNS TABLE (partition_name text, moved_rows bigint)
LANGUAGE plpgsql
AS $$
DECLARE
    month_start timestamptz;
    month_end   timestamptz;
    part        text;
    moved       bigint;
BEGIN
    IF months_ahead IS NULL OR months_ahead < 0 THEN
        RAISE EXCEPTION 'months_ahead must be >= 0, got %', months_ahead
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- One creator at a time (the daily job may run on several workers).
    PERFORM pg_advisory_xact_lock(hashtext('sync_activity_log_partitions'));

    FOR i IN 0..months_ahead LOOP
        -- Months are UTC months, whatever the session's TimeZone.
        month_start := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i)) AT TIME ZONE 'UTC';
        month_end   := ((month_start AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
        part        := format('sync_activity_log_%s', to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM'));
        CONTINUE WHEN to_regclass(part) IS NOT NULL;

        -- Move this month's rows out of DEFAULT, then attach the new partition.
        EXECUTE format('CREATE TABLE %I (LIKE sync_activity_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
        EXECUTE format(
            'WITH moved AS (DELETE FROM sync_activity_log_default WHERE created_at >= %L AND created_at < %L RETURNING *)
             INSERT INTO %I SELECT * FROM moved', month_start, month_end, part);
        GET DIAGNOSTICS moved = ROW_COUNT;
        EXECUTE format('ALTER TABLE sync_activity_log ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                       part, month_start, month_end);
        -- Policies apply through the parent; a role granted the partition
        -- itself must not read around them.
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', part);

        partition_name := part;
        moved_rows := moved;
        RETURN NEXT;
    END LOOP;
END;
$$;

-- Drops monthly partitions that end before the first day of the month
-- `keep_months` months ago (12 keeps the current month and the 12 before it).
-- Returns the names dropped.
CREATE FUNCTION drop_old_sync_activity_log_partitions(keep_months integer DEFAULT 12)
RETURNS TABLE (partition_name text)
LANGUAGE plpgsql
AS $$
DECLARE
    cutoff timestamp;
    rec    record;
BEGIN
    IF keep_months IS NULL OR keep_months < 0 THEN
        RAISE EXCEPTION 'keep_months must be >= 0, got %', keep_months
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('sync_activity_log_partitions'));
    cutoff := date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => keep_months);

    FOR rec IN
        SELECT c.relname
          FROM pg_inherits i
          JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'sync_activity_log'::regclass
           AND c.relname ~ '^sync_activity_log_\d{4}_\d{2}$'
           AND to_date(substring(c.relname from '\d{4}_\d{2}$'), 'YYYY_MM') < cutoff
         ORDER BY c.relname
    LOOP
        EXECUTE format('DROP TABLE %I', rec.relname);
        partition_name := rec.relname;
        RETURN NEXT;
    END LOOP;
END;
$$;

SELECT ensure_sync_activity_log_partitions(3);

-- ---------------------------------------------------------------------------
-- Preview cache: TTL
-- ---------------------------------------------------------------------------

-- Deletes expired preview cache rows; never raises.
CREATE FUNCTION auto_cleanup_preview_cache()
RETURNS TABLE (deleted_count integer, error_message text)
LANGUAGE plpgsql
AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM sync_preview_cache WHERE expires_at < now();
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN QUERY SELECT n, NULL::text;
EXCEPTION WHEN OTHERS THEN
    RETURN QUERY SELECT 0, SQLERRM;
END;
$$;

-- "CHECK prevents expired entries": now() cannot live in a CHECK, so a
-- trigger rejects rows that are already expired when written.
CREATE FUNCTION reject_expired_preview_cache()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.expires_at <= now() THEN
        RAISE EXCEPTION 'sync_preview_cache row % is already expired (expires_at %)', NEW.cache_key, NEW.expires_at
            USING ERRCODE = 'check_violation', CONSTRAINT = 'sync_preview_cache_not_expired';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER sync_preview_cache_reject_expired
    BEFORE INSERT OR UPDATE ON sync_preview_cache
    FOR EACH ROW EXECUTE FUNCTION reject_expired_preview_cache();

-- ---------------------------------------------------------------------------
-- sync_progress: derived metrics, validation, completion, audit
-- ---------------------------------------------------------------------------
-- BEFORE triggers of one event fire in name order:
--   sync_progress_update_elapsed → sync_progress_update_timestamp → sync_progress_validate_totals

-- elapsed_seconds, speed_items_per_min, eta_seconds. Speed and ETA stay NULL
-- until something was processed and time has passed.
CREATE FUNCTION update_sync_progress_elapsed()
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

-- Rejects counts past the total; completes the sync (once) on the UPDATE
-- that brings processed + failed to total_items.
CREATE FUNCTION validate_sync_progress_totals()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.processed_count + NEW.failed_count > NEW.total_items THEN
        RAISE EXCEPTION 'sync %: processed_count (%) + failed_count (%) exceeds total_items (%)',
            NEW.sync_id, NEW.processed_count, NEW.failed_count, NEW.total_items
            USING ERRCODE = 'check_violation', CONSTRAINT = 'sync_progress_counts_within_total';
    END IF;
    IF NEW.current_item > NEW.total_items THEN
        RAISE EXCEPTION 'sync %: current_item (%) exceeds total_items (%)',
            NEW.sync_id, NEW.current_item, NEW.total_items
            USING ERRCODE = 'check_violation', CONSTRAINT = 'sync_progress_current_item_within_total';
    END IF;

    IF TG_OP = 'UPDATE' THEN
        IF OLD.completed_at IS NOT NULL THEN
            -- Completion happens once: its time and outcome are final.
            NEW.completed_at := OLD.completed_at;
            NEW.status := OLD.status;
        ELSIF NEW.processed_count + NEW.failed_count = NEW.total_items
              AND (NEW.status = 'in_progress'
                   OR (OLD.status = 'in_progress' AND NEW.status IN ('completed', 'completed_with_errors'))) THEN
            -- Only a running sync completes: a pending one (0 of 0 until its
            -- job counts the source) or a cancelled/failed/paused/timed-out one never does.
            NEW.completed_at := now();
            NEW.status := CASE WHEN NEW.failed_count = 0 THEN 'completed' ELSE 'completed_with_errors' END;
            NEW.eta_seconds := 0;
        ELSIF NEW.status IN ('completed', 'completed_with_errors') THEN
            RAISE EXCEPTION 'sync %: status % needs processed_count + failed_count = total_items (% + % of %)',
                NEW.sync_id, NEW.status, NEW.processed_count, NEW.failed_count, NEW.total_items
                USING ERRCODE = 'check_violation';
        ELSE
            -- Only this trigger completes a sync.
            NEW.completed_at := NULL;
        END IF;
    ELSE
        NEW.completed_at := NULL;
        IF NEW.status IN ('completed', 'completed_with_errors') THEN
            RAISE EXCEPTION 'sync %: a sync is completed by its progress updates, not inserted as %',
                NEW.sync_id, NEW.status USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION update_sync_progress_timestamp()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- Writes the one sync_complete row of a sync, when the update completes it.
-- SECURITY DEFINER: the row is written by the system, whatever the caller's
-- RLS rights on the log.
CREATE FUNCTION auto_log_sync_activity_on_progress_change()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    IF OLD.completed_at IS NULL AND NEW.completed_at IS NOT NULL THEN
        INSERT INTO sync_activity_log (
            org_id, sync_id, entity_type, action, status,
            record_count, duration_seconds, user_id, created_at
        ) VALUES (
            NEW.org_id,
            NEW.sync_id,
            NEW.entity_type,
            'sync_complete',
            CASE WHEN NEW.failed_count = 0 THEN 'completed' ELSE 'completed_with_errors' END::sync_status_type,
            NEW.processed_count + NEW.failed_count,
            EXTRACT(EPOCH FROM (NEW.completed_at - NEW.started_at)),
            NEW.initiated_by,
            now()
        );
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER sync_progress_update_elapsed
    BEFORE INSERT OR UPDATE ON sync_progress
    FOR EACH ROW EXECUTE FUNCTION update_sync_progress_elapsed();

CREATE TRIGGER sync_progress_update_timestamp
    BEFORE UPDATE ON sync_progress
    FOR EACH ROW EXECUTE FUNCTION update_sync_progress_timestamp();

CREATE TRIGGER sync_progress_validate_totals
    BEFORE INSERT OR UPDATE ON sync_progress
    FOR EACH ROW EXECUTE FUNCTION validate_sync_progress_totals();

CREATE TRIGGER sync_progress_log_completion
    AFTER UPDATE ON sync_progress
    FOR EACH ROW EXECUTE FUNCTION auto_log_sync_activity_on_progress_change();

-- ---------------------------------------------------------------------------
-- Row-level security: a user sees and writes only their organization's rows
-- ---------------------------------------------------------------------------

ALTER TABLE sync_preview_cache ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_progress ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_activity_log ENABLE ROW LEVEL SECURITY;

CREATE POLICY preview_cache_select ON sync_preview_cache FOR SELECT
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_preview_cache.org_id));
CREATE POLICY preview_cache_insert ON sync_preview_cache FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_preview_cache.org_id));
CREATE POLICY preview_cache_update ON sync_preview_cache FOR UPDATE
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_preview_cache.org_id))
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_preview_cache.org_id));
CREATE POLICY preview_cache_delete ON sync_preview_cache FOR DELETE
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_preview_cache.org_id));

CREATE POLICY sync_progress_select ON sync_progress FOR SELECT
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_progress.org_id));
CREATE POLICY sync_progress_insert ON sync_progress FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_progress.org_id));
CREATE POLICY sync_progress_update ON sync_progress FOR UPDATE
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_progress.org_id))
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_progress.org_id));
CREATE POLICY sync_progress_delete ON sync_progress FOR DELETE
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_progress.org_id));

CREATE POLICY sync_activity_log_select ON sync_activity_log FOR SELECT
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_activity_log.org_id));
CREATE POLICY sync_activity_log_insert ON sync_activity_log FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_activity_log.org_id));
CREATE POLICY sync_activity_log_update ON sync_activity_log FOR UPDATE
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_activity_log.org_id))
    WITH CHECK (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_activity_log.org_id));
CREATE POLICY sync_activity_log_delete ON sync_activity_log FOR DELETE
    USING (EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = auth.uid() AND u.org_id = sync_activity_log.org_id));
