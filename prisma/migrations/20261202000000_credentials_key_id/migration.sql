-- Key rotation: credentials may now be stored as "v2:<kid>:<iv>:<tag>:<data>",
-- naming the key (SYNC_ENCRYPTION_KEYS) that encrypted them; "v1:…" rows (no
-- key id, written before rotation) stay valid until `sync-worker connection
-- rekey` rewrites them under the current key.

ALTER TABLE integration_connection DROP CONSTRAINT integration_connection_credentials_encrypted;
ALTER TABLE integration_connection ADD CONSTRAINT integration_connection_credentials_encrypted
    CHECK (credentials LIKE 'v1:%' OR credentials ~ '^v2:[A-Za-z0-9_-]{1,32}:');
