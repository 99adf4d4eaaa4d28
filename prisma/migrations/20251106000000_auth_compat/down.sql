-- Removes only the auth objects that auth_compat created (marked by comment);
-- a platform's own auth schema is left alone.
DO $$
BEGIN
  IF to_regprocedure('auth.uid()') IS NOT NULL
     AND obj_description(to_regprocedure('auth.uid()'), 'pg_proc') = 'created by sync-worker auth_compat' THEN
    DROP FUNCTION auth.uid();
  END IF;

  IF to_regclass('auth.users_extended') IS NOT NULL
     AND obj_description(to_regclass('auth.users_extended'), 'pg_class') = 'created by sync-worker auth_compat' THEN
    DROP TABLE auth.users_extended;
  END IF;

  IF NOT EXISTS (
    SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'auth'
    UNION ALL
    SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'auth'
  ) THEN
    DROP SCHEMA IF EXISTS auth;
  END IF;
END
$$;
