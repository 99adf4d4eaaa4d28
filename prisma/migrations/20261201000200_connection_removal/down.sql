-- Back to one name per org across every connection: a removed connection
-- whose name was taken again is renamed "<name> (removed <id>)" first.
DROP INDEX IF EXISTS integration_connection_org_name_key;
UPDATE integration_connection c
   SET name = left(c.name, 255 - 46) || ' (removed ' || c.id || ')'
 WHERE c.removed_at IS NOT NULL
   AND EXISTS (SELECT 1 FROM integration_connection o
                WHERE o.org_id = c.org_id AND o.name = c.name AND o.id <> c.id);
ALTER TABLE integration_connection
    ADD CONSTRAINT integration_connection_org_name_key UNIQUE (org_id, name);
ALTER TABLE integration_connection DROP COLUMN removed_at;
