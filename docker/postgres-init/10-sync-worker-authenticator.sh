#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume:
# the API's login role (README, "Database roles"), LOGIN NOINHERIT with no
# privileges of its own. `sync-worker migrate` makes it a member of
# sync_worker_api. On a volume initialised before this script existed, run
# once: ALTER ROLE sync_worker_authenticator PASSWORD '…';
set -eu
psql -v ON_ERROR_STOP=1 -v password="$API_DB_PASSWORD" \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE sync_worker_authenticator LOGIN NOINHERIT PASSWORD :'password';
SQL
