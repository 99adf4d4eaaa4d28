-- Auth compatibility: the RLS policies of migration 0024 read
-- auth.users_extended and auth.uid(), which Supabase (and similar platforms)
-- already provide. Create them only where they are absent, and mark what we
-- created so that down.sql removes only our own objects.

CREATE SCHEMA IF NOT EXISTS auth;

DO $$
BEGIN
  IF to_regclass('auth.users_extended') IS NULL THEN
    CREATE TABLE auth.users_extended (
      id     uuid PRIMARY KEY,
      org_id uuid NOT NULL
    );
    CREATE INDEX users_extended_org_id_idx ON auth.users_extended (org_id);
    COMMENT ON TABLE auth.users_extended IS 'created by sync-worker auth_compat';
  END IF;

  IF to_regprocedure('auth.uid()') IS NULL THEN
    -- The user id of the request: the JWT `sub` claim that the API sets with
    -- set_config('request.jwt.claim.sub', <uuid>, true) inside each transaction.
    CREATE FUNCTION auth.uid() RETURNS uuid
      LANGUAGE sql STABLE
      AS $fn$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $fn$;
    COMMENT ON FUNCTION auth.uid() IS 'created by sync-worker auth_compat';
  END IF;
END
$$;
