-- What the API's login (session_user) can do besides becoming the API role:
-- attributes that reach past row-level security or grant roles, the roles it
-- can become other than the API role, and the tables it can use with
-- privileges of its own (owned, granted to it or to PUBLIC, or inherited).
-- An authenticator has none of these.
-- $1 the API role (API_DB_ROLE)
SELECT r.rolname::text AS login,
       r.rolsuper      AS superuser,
       r.rolbypassrls  AS bypass_rls,
       r.rolcreaterole AS create_role,
       ARRAY(SELECT m.rolname::text
               FROM pg_roles m
              WHERE m.oid <> r.oid
                AND m.rolname <> $1
                AND pg_has_role(r.oid, m.oid, 'MEMBER')
              ORDER BY 1) AS other_roles,
       ARRAY(SELECT format('%I.%I', n.nspname, c.relname)
               FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
                AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND n.nspname !~ '^pg_toast'
                AND (has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                     OR has_any_column_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
              ORDER BY 1) AS tables
  FROM pg_roles r
 WHERE r.rolname = session_user;
