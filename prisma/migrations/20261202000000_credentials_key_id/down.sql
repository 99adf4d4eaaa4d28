-- Back to "v1:" only. Refused while a row holds a v2 value: an older release
-- could not read it (restore a backup, or keep this migration).

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM integration_connection WHERE credentials NOT LIKE 'v1:%') THEN
    RAISE EXCEPTION 'integration_connection holds v2 (key id) credentials, which the previous release cannot read; not rolling back';
  END IF;
END
$$;

ALTER TABLE integration_connection DROP CONSTRAINT integration_connection_credentials_encrypted;
ALTER TABLE integration_connection ADD CONSTRAINT integration_connection_credentials_encrypted
    CHECK (credentials LIKE 'v1:%');
