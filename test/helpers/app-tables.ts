/** Every table of the product that carries org_id and row-level security. */
export const APP_TABLES = [
  'sync_preview_cache',
  'sync_progress',
  'sync_activity_log',
  'integration_connection',
  'sync_record',
  'sync_state',
] as const;
