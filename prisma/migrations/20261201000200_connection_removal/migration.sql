-- Connections over their life: `connection remove --keep-mirror` (and
-- DELETE /api/v1/connections/:id?mirror=keep) retires a connection without
-- deleting its mirror. The row stays, marked `removed_at`, with its
-- credentials wiped; it cannot sync, is not listed, and its name is free
-- again: names are unique among the connections still in use only.

ALTER TABLE integration_connection ADD COLUMN removed_at timestamptz;

ALTER TABLE integration_connection DROP CONSTRAINT integration_connection_org_name_key;
CREATE UNIQUE INDEX integration_connection_org_name_key
    ON integration_connection (org_id, name) WHERE removed_at IS NULL;
